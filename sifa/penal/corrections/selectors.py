"""Reads that are more than a filter. User-facing ones are jurisdiction-scoped (and hide juvenile
records from roles without ``corrections.view_juvenile``); the monitoring hooks are system reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models import (
    ApprovalStatus,
    CheckIn,
    CheckInStatus,
    LeaveApplication,
    MonitoringOrder,
    RevocationCase,
    RevocationState,
    Search,
    SearchStatus,
    Supervisee,
    SuperviseeEvent,
    SuperviseeStatus,
)


def _local_date(at: dt.datetime | dt.date) -> dt.date:
    if isinstance(at, dt.datetime):
        return timezone.localtime(at).date() if timezone.is_aware(at) else at.date()
    return at


def _active_order_q(day: dt.date) -> Q:
    return (
        Q(status=ApprovalStatus.APPROVED, start_date__lte=day, end_date__gte=day)
        & (Q(lifted_on__isnull=True) | Q(lifted_on__gt=day))
        & Q(supervisee__state__in=SuperviseeStatus.active())
    )


def active_monitoring_order(
    supervisee: Supervisee | int, at: dt.datetime | dt.date
) -> MonitoringOrder | None:
    """The approved electronic-monitoring order covering ``at``, or None (Art 29).

    The monitoring app calls this before storing a position: no order, no stored position (privacy:
    location data exists only while an approved, unexpired, unlifted order covers the moment). A
    system read — not scoped to a user; ``at`` is taken in local (Asia/Shanghai) time.
    """
    pk = supervisee.pk if isinstance(supervisee, Supervisee) else supervisee
    day = _local_date(at)
    return (
        MonitoringOrder.objects.filter(_active_order_q(day), supervisee_id=pk).order_by("-start_date").first()
    )


def monitored_supervisee_ids(at: dt.datetime | dt.date, among: Iterable[int] | None = None) -> set[int]:
    """Every supervisee with an active order at ``at`` — the batch form for the ingestion pipeline."""
    qs = MonitoringOrder.objects.filter(_active_order_q(_local_date(at)))
    if among is not None:
        qs = qs.filter(supervisee_id__in=list(among))
    return set(qs.values_list("supervisee_id", flat=True))


def monitoring_area(supervisee: Supervisee | int) -> str:
    """The default allowed area for monitoring: the residence county's division code."""
    pk = supervisee.pk if isinstance(supervisee, Supervisee) else supervisee
    return str(Supervisee.objects.values_list("residence_division_id", flat=True).get(pk=pk))


def supervisees_for(user: Any) -> QuerySet[Supervisee]:
    return Supervisee.objects.restrict(user, "view").select_related("org", "residence_division")


def timeline(user: Any, supervisee: Supervisee) -> QuerySet[SuperviseeEvent]:
    return (
        SuperviseeEvent.objects.restrict(user, "view").filter(supervisee=supervisee).select_related("actor")
    )


def pending_leaves_for(user: Any) -> QuerySet[LeaveApplication]:
    return (
        LeaveApplication.objects.restrict(user, "view")
        .filter(status=ApprovalStatus.PENDING)
        .select_related("supervisee", "supervisee__org")
    )


def pending_orders_for(user: Any) -> QuerySet[MonitoringOrder]:
    return (
        MonitoringOrder.objects.restrict(user, "view")
        .filter(status=ApprovalStatus.PENDING)
        .select_related("supervisee")
    )


def open_revocation_cases(user: Any) -> QuerySet[RevocationCase]:
    """Revocation cases not yet finished (Arts 46–49) in the user's jurisdiction."""
    return (
        RevocationCase.objects.restrict(user, "view")
        .filter(state__in=RevocationState.open())
        .select_related("supervisee")
    )


def _week_start(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def breaches_per_week(user: Any, weeks: int = 8) -> list[tuple[str, int]]:
    """Geofence breaches per ISO week, from ``monitoring.selectors.breach_counts(user, since)``
    (per local day, scoped); 0 for every week when the monitoring app is not installed."""
    today = timezone.localdate()
    starts = [_week_start(today) - dt.timedelta(weeks=i) for i in reversed(range(weeks))]
    counts: dict[dt.date, int] = {}
    try:
        from sifa.penal.monitoring import selectors as monitoring
    except ImportError:  # the monitoring app is optional for corrections
        monitoring = None  # type: ignore[assignment]
    if monitoring is not None and hasattr(monitoring, "breach_counts"):
        for day, n in monitoring.breach_counts(user, starts[0]).items():
            counts[_week_start(day)] = counts.get(_week_start(day), 0) + n
    return [(s.isoformat(), counts.get(s, 0)) for s in starts]


def statistics(user: Any) -> dict[str, Any]:
    """Counts for the statistics page and the dashboard (scoped; juveniles hidden where they must be)."""
    today = timezone.localdate()
    active = Supervisee.objects.restrict(user, "view").filter(state__in=SuperviseeStatus.active())
    by_type = dict(active.values_list("correction_type").annotate(n=Count("id")).order_by())
    by_level = dict(active.values_list("supervision_level").annotate(n=Count("id")).order_by())
    by_state = dict(active.values_list("state").annotate(n=Count("id")).order_by())
    by_county = list(
        active.values("residence_division_id", "residence_division__name")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    overdue_check_ins = (
        CheckIn.objects.restrict(user, "view").filter(status=CheckInStatus.OPEN, due_date__lt=today).count()
    )
    overdue_reports = active.filter(state=SuperviseeStatus.NOTIFIED, report_due__lt=today).count()
    open_searches = Search.objects.restrict(user, "view").filter(status=SearchStatus.OPEN).count()
    monitored = MonitoringOrder.objects.restrict(user, "view").filter(_active_order_q(today)).count()
    return {
        "active": sum(by_state.values()),
        "by_type": by_type,
        "by_level": by_level,
        "by_state": by_state,
        "by_county": by_county,
        "overdue_check_ins": overdue_check_ins,
        "overdue_reports": overdue_reports,
        "open_searches": open_searches,
        "monitored": monitored,
        "pending_leaves": pending_leaves_for(user).count(),
        "breaches_per_week": breaches_per_week(user),
    }
