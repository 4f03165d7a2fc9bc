"""The generated jurisdiction matrix (分权分域) for every list/detail/write endpoint and page.

Endpoints are discovered from the API router and the URL tree, never listed by hand: a new scoped
viewset or page is tested as soon as it is routed. For each one:

* anonymous → denied (API 401/403, page redirect to login);
* a user of another jurisdiction → the row is absent from the list and its detail is 404, exactly
  like a missing row;
* a user of the owning jurisdiction (and the province above it) → listed and 200;
* denied writes (PATCH/DELETE from another jurisdiction, anonymous POST) change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from sifa.platform.accounts.roles import Role
from sifa.platform.api.routers import router
from sifa.platform.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet
from sifa.platform.audit.services import snapshot
from sifa.platform.testing.matrix import cases
from sifa.platform.testing.tree import make_user
from sifa.platform.ui.pages import ScopedDetailView, ScopedListView


@dataclass(frozen=True)
class Endpoint:
    kind: str  # "api" or "page"
    name: str  # router basename or URL name
    model_label: str
    detail: bool
    writable: bool = False

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}:{'detail' if self.detail else 'list'}"


def _api_endpoints() -> list[Endpoint]:
    import_module(settings.ROOT_URLCONF)  # importing the URLconf registers every app's viewsets
    found = []
    for _prefix, viewset, basename in router.registry:
        if getattr(viewset, "public", False) or getattr(viewset, "scope_exempt", ""):
            continue
        model = viewset.queryset.model  # type: ignore[attr-defined]
        writable = issubclass(viewset, ScopedModelViewSet)
        found.append(Endpoint("api", basename, model._meta.label, detail=False))
        found.append(Endpoint("api", basename, model._meta.label, detail=True, writable=writable))
    return found


def _walk(patterns: list[Any], namespace: str = "") -> list[tuple[str, Any]]:
    out = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            out += _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            out.append((namespace + p.name, getattr(p.callback, "view_class", None)))
    return out


def _page_endpoints() -> list[Endpoint]:
    found = []
    for name, view_class in _walk(get_resolver().url_patterns):
        if view_class is None:
            continue
        if issubclass(view_class, ScopedListView):
            found.append(Endpoint("page", name, view_class.model._meta.label, detail=False))
        elif issubclass(view_class, ScopedDetailView):
            found.append(Endpoint("page", name, view_class.model._meta.label, detail=True))
    return found


ENDPOINTS = _api_endpoints() + _page_endpoints()


def test_every_api_viewset_is_scoped_public_or_exempt_with_a_reason() -> None:
    """A viewset that forgets scoping must not slip through: it is scoped, public, or says why not."""
    for _prefix, viewset, basename in router.registry:
        scoped = issubclass(viewset, ScopedModelViewSet | ScopedReadOnlyViewSet)
        assert scoped or getattr(viewset, "public", False) or getattr(viewset, "scope_exempt", ""), basename


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_every_scoped_endpoint_has_a_matrix_case(endpoint: Endpoint) -> None:
    assert endpoint.model_label in cases(), (
        f"{endpoint} serves {endpoint.model_label}: add a MatrixCase for it in its app's testing.py"
    )


def _url(endpoint: Endpoint, pk: Any = None) -> str:
    if endpoint.kind == "api":
        suffix = "detail" if endpoint.detail else "list"
        return reverse(f"{endpoint.name}-{suffix}", args=[pk] if endpoint.detail else [])
    return reverse(endpoint.name, args=[pk] if endpoint.detail else [])


def _client(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def _listed(response: Any, pk: Any, endpoint: Endpoint) -> bool:
    if endpoint.kind == "api":
        data = response.json()
        rows = data["results"] if isinstance(data, dict) and "results" in data else data
        return any(str(r.get("id", r.get("pk"))) == str(pk) for r in rows)
    return any(row["obj"].pk == pk for row in response.context["rows"])


@pytest.fixture
def actors(tree: Any) -> dict[str, Any]:
    """Users who hold every permission, placed in different jurisdictions: scoping alone must decide."""
    return {
        "owner_side": make_user("matrix_dh", Role.PROVINCE_ADMIN, tree.donghu),
        "province": make_user("matrix_prov", Role.PROVINCE_ADMIN, tree.province),
        "other": make_user("matrix_xy", Role.PROVINCE_ADMIN, tree.xunyang),
        "sibling": make_user("matrix_xh", Role.PROVINCE_ADMIN, tree.xihu),
        "citizen": make_user("matrix_citizen", Role.CITIZEN, None),
        "citizen_other": make_user("matrix_citizen2", Role.CITIZEN, None),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_matrix_read(endpoint: Endpoint, tree: Any, actors: dict[str, Any]) -> None:
    case = cases().get(endpoint.model_label)
    if case is None:
        pytest.fail(f"no MatrixCase for {endpoint.model_label}")
    obj = case.make(tree.donghu_office, actors["citizen"])
    url = _url(endpoint, obj.pk)

    anonymous = _client(None).get(url)
    if endpoint.kind == "api":
        assert anonymous.status_code in (401, 403)
    else:
        assert anonymous.status_code == 302
        assert "/accounts/login/" in anonymous["Location"]

    for who in ("owner_side", "province"):
        response = _client(actors[who]).get(url)
        assert response.status_code == 200, (who, response.status_code)
        if not endpoint.detail:
            assert _listed(response, obj.pk, endpoint), f"{who} should see the row in {endpoint}"

    for who in ("other", "sibling"):
        response = _client(actors[who]).get(url)
        if endpoint.detail:
            assert response.status_code == 404, (who, response.status_code)
        else:
            assert response.status_code == 200
            assert not _listed(response, obj.pk, endpoint), f"{who} must not see the row in {endpoint}"

    model = type(obj)
    if getattr(model, "scope_owner_field", None) and model._meta.label != "accounts.User":
        own = _client(actors["citizen"]).get(url)
        assert own.status_code in (200, 403)
        foreign = _client(actors["citizen_other"]).get(url)
        assert (
            foreign.status_code in (404, 403) if endpoint.detail else not _listed(foreign, obj.pk, endpoint)
        )


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.writable], ids=str)
def test_matrix_denied_writes_change_nothing(endpoint: Endpoint, tree: Any, actors: dict[str, Any]) -> None:
    case = cases()[endpoint.model_label]
    obj = case.make(tree.donghu_office, actors["citizen"])
    model = type(obj)
    before = snapshot(model.objects.get(pk=obj.pk))
    count = model.objects.count()
    url = _url(endpoint, obj.pk)
    list_url = _url(Endpoint("api", endpoint.name, endpoint.model_label, detail=False))

    for user in (None, actors["other"], actors["sibling"]):
        client = _client(user)
        if case.change is not None:
            response = client.patch(url, case.change, format="json")
            assert response.status_code in ((401, 403) if user is None else (404,)), response.status_code
        response = client.delete(url)
        assert response.status_code in ((401, 403) if user is None else (404, 405)), response.status_code
        if case.payload is not None:
            # Creating a row inside the owner's jurisdiction from outside it must be refused too.
            response = client.post(list_url, case.payload(tree.donghu_office), format="json")
            assert response.status_code in ((401, 403) if user is None else (400, 403, 404)), (
                response.status_code
            )

    assert model.objects.count() == count
    assert snapshot(model.objects.get(pk=obj.pk)) == before

    if case.change is not None:
        allowed = _client(actors["owner_side"]).patch(url, case.change, format="json")
        assert allowed.status_code == 200, allowed.content
    if case.payload is not None:
        created = _client(actors["owner_side"]).post(
            list_url, case.payload(tree.donghu_office), format="json"
        )
        assert created.status_code == 201, created.content
