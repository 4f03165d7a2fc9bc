"""One router for /api/: apps register their viewsets in ``<app>/api/urls.py`` via ``router``."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
