from sifa.platform.api.routers import router

from .views import PersonViewSet

router.register("people", PersonViewSet, basename="person")
