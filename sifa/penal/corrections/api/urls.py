from sifa.platform.api.routers import router

from .views import LeaveApplicationViewSet, MonitoringOrderViewSet, RevocationCaseViewSet, SuperviseeViewSet

router.register("corrections/supervisees", SuperviseeViewSet, basename="supervisee")
router.register("corrections/leaves", LeaveApplicationViewSet, basename="leaveapplication")
router.register("corrections/monitoring-orders", MonitoringOrderViewSet, basename="monitoringorder")
router.register("corrections/revocation-cases", RevocationCaseViewSet, basename="revocationcase")
