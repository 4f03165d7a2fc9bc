"""URLs. Each sifa app contributes ``<app>/urls.py`` (pages, mounted under its label) and
``<app>/api/urls.py`` (viewsets registered on the shared router under /api/). Discovery is automatic
so a new app's endpoints are also picked up by the scoping matrix test."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.conf.urls.i18n import i18n_patterns
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView

from sifa.platform.api.routers import router

page_patterns: list[URLPattern | URLResolver] = []
for config in apps.get_app_configs():
    if not config.name.startswith("sifa."):
        continue
    for suffix in ("api.urls",):
        try:
            importlib.import_module(f"{config.name}.{suffix}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{suffix}" and exc.name != f"{config.name}.api":
                raise
    try:
        module = importlib.import_module(f"{config.name}.urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"{config.name}.urls":
            raise
        continue
    prefix = getattr(module, "url_prefix", f"{config.label}/")
    page_patterns.append(path(prefix, include((module.urlpatterns, config.label), namespace=config.label)))

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/", include(router.urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    *i18n_patterns(*page_patterns, prefix_default_language=False),
]
