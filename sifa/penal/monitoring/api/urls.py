from sifa.platform.api.routers import router

from .views import AlertViewSet, OsmAndIngestViewSet

# /api/monitoring/osmand/ — the URL to enter in Traccar Client / OsmAnd (Traccar's own port 5055 is
# not used: Django serves the protocol).
router.register("monitoring/osmand", OsmAndIngestViewSet, basename="monitoring-osmand")
router.register("monitoring/alerts", AlertViewSet, basename="monitoring-alert")
