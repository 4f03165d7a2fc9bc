from sifa.platform.api.routers import router

from .views import StatutoryClockViewSet, TaskViewSet

router.register("tasks", TaskViewSet, basename="task")
router.register("clocks", StatutoryClockViewSet, basename="statutoryclock")
