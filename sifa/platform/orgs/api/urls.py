from sifa.platform.api.routers import router

from .views import DivisionViewSet, OrgViewSet

router.register("orgs", OrgViewSet, basename="org")
router.register("divisions", DivisionViewSet, basename="division")
