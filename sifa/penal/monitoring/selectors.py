"""Reads of the monitoring app. User-facing reads are jurisdiction-scoped (and hide juvenile
supervisees from roles that may not see them); outlines are reference data."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from sifa.penal.corrections.models import Supervisee
from sifa.platform.orgs.models import Division, DivisionLevel

from .models import ACTIONABLE_KINDS, Alert, AlertKind, AlertStatus, Fence, Position

MAX_TRACK_POINTS = 20_000


def alerts_for(user: Any) -> QuerySet[Alert]:
    return Alert.objects.restrict(user, "view").select_related("supervisee", "device", "org")


def open_alerts_for(user: Any) -> QuerySet[Alert]:
    """Unresolved alerts someone must act on, in the user's jurisdiction."""
    return alerts_for(user).filter(status__in=AlertStatus.unresolved(), kind__in=list(ACTIONABLE_KINDS))


def breach_counts(user: Any, since: dt.date) -> dict[dt.date, int]:
    """Breaches (越界 and curfew) per ISO week since ``since``, keyed by the week's Monday (local
    time) — the shape the corrections statistics page (breaches per week) expects."""
    start = timezone.make_aware(dt.datetime.combine(since, dt.time()))
    rows = (
        Alert.objects.restrict(user, "view")
        .filter(kind__in=[AlertKind.BREACH, AlertKind.CURFEW], occurred_at__gte=start)
        .annotate(day=TruncDate("occurred_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    weeks: dict[dt.date, int] = {}
    for row in rows:
        monday = row["day"] - dt.timedelta(days=row["day"].weekday())
        weeks[monday] = weeks.get(monday, 0) + row["n"]
    return weeks


def open_alert_counts_by_county(user: Any) -> dict[str, int]:
    """Unresolved actionable alerts per residence county of the supervisee."""
    rows = (
        open_alerts_for(user).values("supervisee__residence_division_id").annotate(n=Count("id")).order_by()
    )
    return {row["supervisee__residence_division_id"]: row["n"] for row in rows}


def counties_for(user: Any) -> list[Division]:
    """Counties drawn on the province map: those under the user's org's division (for a county or
    township user, the counties of their city, so that there is a neighbourhood to compare)."""
    org = getattr(user, "org", None)
    code = org.division_id if org is not None else ""
    if org is None or user.is_superuser or not code:
        prefix = ""
    elif org.division.level == DivisionLevel.PROVINCE:
        prefix = code[:2]
    else:
        prefix = code[:4]
    qs = Division.objects.filter(level=DivisionLevel.COUNTY)
    if prefix:
        qs = qs.filter(code__startswith=prefix)
    return list(qs.order_by("code"))


def track(user: Any, supervisee: Supervisee, since: dt.datetime, until: dt.datetime) -> list[Position]:
    """The supervisee's positions in [since, until), oldest first, at most MAX_TRACK_POINTS."""
    return list(
        Position.objects.restrict(user, "view")
        .filter(supervisee=supervisee, ts__gte=since, ts__lt=until)
        .order_by("ts", "id")
        .only("ts", "lat_wgs84", "lon_wgs84", "accuracy", "speed", "battery")[:MAX_TRACK_POINTS]
    )


def track_events(user: Any, supervisee: Supervisee, since: dt.datetime, until: dt.datetime) -> list[Alert]:
    return list(
        alerts_for(user)
        .filter(supervisee=supervisee, occurred_at__gte=since, occurred_at__lt=until)
        .order_by("occurred_at", "id")[:2000]
    )


def fences_of(user: Any, supervisee: Supervisee) -> list[Fence]:
    return list(Fence.objects.restrict(user, "view").filter(supervisee=supervisee, active=True))


@lru_cache(maxsize=512)
def outline_geojson_wgs84(code: str, tolerance_deg: float = 0.0) -> dict[str, Any] | None:
    """A division outline converted from GCJ-02 (as shipped) to WGS-84 — the datum of positions and
    fences, so everything on the map is drawn in one datum — optionally simplified for display."""
    import shapely
    from shapely.geometry import mapping

    from .engine.divisions import DivisionNotFound, load_outline_wgs84

    try:
        geom = load_outline_wgs84(code)
    except DivisionNotFound:
        return None
    if tolerance_deg:
        geom = shapely.simplify(geom, tolerance_deg, preserve_topology=True)
    rounded = shapely.set_precision(geom, 1e-5)  # ~1 m: smaller pages, no visible change
    return dict(mapping(rounded))
