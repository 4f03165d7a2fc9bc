"""Base page views. Every list/detail page of a scoped model derives from these, so scoping,
filters, paging and export behave the same everywhere and the scoping matrix test finds them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.views.generic import DetailView, ListView
from django_stubs_ext import StrOrPromise

from sifa.platform.orgs.scoping import access_object, permission_name

from .export import export_response


class ScopedPageMixin(LoginRequiredMixin, PermissionRequiredMixin):
    model: Any
    action = "view"
    raise_exception = False

    def get_permission_required(self) -> Sequence[str]:
        return [permission_name(self.model, self.action)]

    def handle_no_permission(self) -> Any:
        if self.request.user.is_authenticated:  # type: ignore[attr-defined]
            self.raise_exception = True
        return super().handle_no_permission()

    def scoped_queryset(self) -> models.QuerySet[Any]:
        return self.model.objects.restrict(self.request.user, self.action)  # type: ignore[attr-defined]


def _column_value(obj: Any, name: str) -> Any:
    display = getattr(obj, f"get_{name}_display", None)
    if callable(display):
        return display()
    value: Any = obj
    for part in name.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return ""
    return value() if callable(value) else value


class ScopedListView(ScopedPageMixin, ListView):
    """A filtered, paged list of rows in the user's jurisdiction, with CSV/XLSX export."""

    template_name = "ui/list.html"
    paginate_by = 25
    columns: Sequence[tuple[str, StrOrPromise]] = ()
    filterset_class: Any = None
    title: StrOrPromise = ""
    export_name = "export"
    detail_url_name = ""
    export_limit = 50_000

    def get_queryset(self) -> models.QuerySet[Any]:
        qs = self.scoped_queryset()
        related = [c.split("__")[0] for c, _ in self.columns if "__" in c]
        concrete = []
        for name in related:
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.many_to_one or field.one_to_one:
                concrete.append(name)
        if concrete:
            qs = qs.select_related(*concrete)
        self.filterset = (
            self.filterset_class(self.request.GET or None, queryset=qs, request=self.request)
            if self.filterset_class
            else None
        )
        if self.filterset is not None:
            for field in self.filterset.form.fields.values():
                css = (
                    "form-select form-select-sm"
                    if hasattr(field, "choices")
                    else "form-control form-control-sm"
                )
                field.widget.attrs.setdefault("class", css)
            qs = self.filterset.qs
        return qs

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fmt = request.GET.get("export")
        if fmt in {"csv", "xlsx"}:
            rows = (
                [_column_value(obj, name) for name, _label in self.columns]
                for obj in self.get_queryset()[: self.export_limit]
            )
            return export_response(fmt, self.export_name, [str(label) for _n, label in self.columns], rows)
        return super().get(request, *args, **kwargs)

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:  # type: ignore[attr-defined]
            return ["ui/_list_table.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = [
            {"obj": obj, "cells": [_column_value(obj, name) for name, _label in self.columns]}
            for obj in context["object_list"]
        ]
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            title=self.title or self.model._meta.verbose_name_plural,
            headers=[label for _n, label in self.columns],
            rows=rows,
            filter=self.filterset,
            querystring=query.urlencode(),
            detail_url_name=self.detail_url_name,
        )
        return context


class ScopedDetailView(ScopedPageMixin, DetailView):
    """One row, fetched with access_object: outside the jurisdiction it is 404, like a missing row."""

    template_name = "ui/detail.html"
    fields: Sequence[tuple[str, StrOrPromise]] = ()

    def get_object(self, queryset: Any = None) -> Any:
        return access_object(self.request.user, self.model, self.kwargs["pk"], self.action)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = str(self.object)
        context["pairs"] = [(label, _column_value(self.object, name)) for name, label in self.fields]
        return context
