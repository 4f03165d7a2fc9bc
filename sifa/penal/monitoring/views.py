"""Pages: alert list and detail (acknowledge / close with a note), the track map of one
supervisee, and the province map of open alerts by county. Thin: reads via selectors, writes via
services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sifa.penal.corrections.models import Supervisee
from sifa.platform.audit.services import record_personal_access
from sifa.platform.orgs.scoping import access_object
from sifa.platform.ui.pages import ScopedDetailView, ScopedListView

from . import selectors
from .fences import fence_center_wgs84, fence_geometry_wgs84
from .forms import DeviceForm
from .models import Alert, AlertKind, AlertStatus, Datum, Device, Fence
from .services import acknowledge_alert, close_alert, register_device


class AlertFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=gettext_lazy("状态"), choices=AlertStatus.choices)
    kind = django_filters.ChoiceFilter(label=gettext_lazy("类型"), choices=AlertKind.choices)
    name = django_filters.CharFilter(
        label=gettext_lazy("姓名"), field_name="supervisee__name", lookup_expr="icontains"
    )
    since = django_filters.DateFilter(
        label=gettext_lazy("起始日期"), field_name="occurred_at", lookup_expr="date__gte"
    )
    until = django_filters.DateFilter(
        label=gettext_lazy("截止日期"), field_name="occurred_at", lookup_expr="date__lte"
    )
    county = django_filters.CharFilter(
        label=gettext_lazy("执行地区划代码"), field_name="supervisee__residence_division"
    )

    class Meta:
        model = Alert
        fields = ["status", "kind"]


class AlertListView(ScopedListView):
    model = Alert
    title = gettext_lazy("定位预警")
    filterset_class = AlertFilter
    export_name = "monitoring-alerts"
    detail_url_name = "monitoring:alert-detail"
    template_name = "monitoring/alert_list.html"
    columns = (
        ("occurred_at", gettext_lazy("发生时间")),
        ("supervisee__name", gettext_lazy("社区矫正对象")),
        ("kind", gettext_lazy("类型")),
        ("fence_label", gettext_lazy("围栏")),
        ("status", gettext_lazy("状态")),
        ("org__name", gettext_lazy("负责司法所")),
        ("device__device_id", gettext_lazy("设备")),
    )

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("supervisee", "org", "device")


class DeviceFilter(django_filters.FilterSet):
    device_id = django_filters.CharFilter(label=gettext_lazy("设备编号"), lookup_expr="icontains")
    name = django_filters.CharFilter(
        label=gettext_lazy("姓名"), field_name="supervisee__name", lookup_expr="icontains"
    )
    active = django_filters.BooleanFilter(label=gettext_lazy("启用"))

    class Meta:
        model = Device
        fields = ["device_id", "active"]


class DeviceListView(ScopedListView):
    model = Device
    title = gettext_lazy("定位设备")
    filterset_class = DeviceFilter
    export_name = "monitoring-devices"
    template_name = "monitoring/device_list.html"
    columns = (
        ("device_id", gettext_lazy("设备编号")),
        ("supervisee__name", gettext_lazy("社区矫正对象")),
        ("kind", gettext_lazy("设备类型")),
        ("protocol", gettext_lazy("协议")),
        ("org__name", gettext_lazy("负责司法所")),
        ("last_seen", gettext_lazy("最后定位时间")),
        ("battery", gettext_lazy("电量（%）")),
        ("active", gettext_lazy("启用")),
    )


@login_required
def device_create(request: HttpRequest) -> HttpResponse:
    """Register a device for a monitored supervisee; a generated token is shown once."""
    if not request.user.has_perm("monitoring.add_device"):
        raise PermissionDenied
    form = DeviceForm(request.POST or None, user=request.user)
    context: dict[str, Any] = {"form": form, "title": _("登记定位设备")}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            device, token = register_device(
                acting_user=request.user,
                supervisee=data["supervisee"],
                device_id=data["device_id"],
                kind=data["kind"],
                protocol=data["protocol"],
                with_token=data["with_token"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if not token:
                messages.success(request, _("设备 %(id)s 已登记。") % {"id": device.device_id})
                return redirect("monitoring:device-list")
            context.update(
                device=device,
                token=token,
                ingest_url=request.build_absolute_uri(reverse("monitoring-osmand-list")),
            )
    return render(request, "monitoring/device_form.html", context)


class AlertDetailView(ScopedDetailView):
    model = Alert
    template_name = "monitoring/alert_detail.html"
    fields = (
        ("supervisee", gettext_lazy("社区矫正对象")),
        ("kind", gettext_lazy("类型")),
        ("occurred_at", gettext_lazy("发生时间")),
        ("fence_label", gettext_lazy("围栏")),
        ("device", gettext_lazy("设备")),
        ("org", gettext_lazy("负责司法所")),
        ("status", gettext_lazy("状态")),
        ("ended_at", gettext_lazy("恢复正常时间")),
        ("acknowledged_by", gettext_lazy("确认人")),
        ("acknowledged_at", gettext_lazy("确认时间")),
        ("escalated_to", gettext_lazy("上报至")),
        ("escalated_at", gettext_lazy("上报时间")),
        ("closed_by", gettext_lazy("关闭人")),
        ("closed_at", gettext_lazy("关闭时间")),
        ("close_note", gettext_lazy("处置说明")),
    )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("note_error", "")
        context.setdefault("note", "")
        context["track_url"] = reverse("monitoring:track", args=[self.object.supervisee_id])
        return context


def _alert_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    alert = access_object(request.user, Alert, pk, "view")
    try:
        if action == "acknowledge":
            acknowledge_alert(acting_user=request.user, alert=alert)
            messages.success(request, _("已确认该预警。"))
        else:
            close_alert(acting_user=request.user, alert=alert, note=request.POST.get("note", ""))
            messages.success(request, _("预警已关闭。"))
    except PermissionDenied:
        raise
    except ValidationError as exc:
        errors = exc.message_dict
        view = AlertDetailView()
        view.setup(request, pk=pk)
        view.object = alert
        context = view.get_context_data(object=alert)
        context.update(
            note_error="；".join(errors.get("note", [])),
            status_error="；".join(errors.get("status", []) + errors.get("alert", [])),
            note=request.POST.get("note", ""),
        )
        return render(request, view.template_name, context, status=400)
    return redirect("monitoring:alert-detail", pk=pk)


@login_required
@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    return _alert_action(request, pk, "acknowledge")


@login_required
@require_POST
def alert_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _alert_action(request, pk, "close")


def _parse_day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def fence_features(fences: Sequence[Fence]) -> list[dict[str, Any]]:
    """Fences as GeoJSON features in WGS-84 (circles as a point with a radius property)."""
    from shapely.geometry import mapping

    features = []
    for fence in fences:
        props: dict[str, Any] = {
            "name": fence.name,
            "kind": fence.kind,
            "kind_label": str(fence.get_kind_display()),
            "window": (
                f"{fence.window_start:%H:%M}–{fence.window_end:%H:%M}"
                if fence.window_start and fence.window_end
                else ""
            ),
        }
        if fence.is_circle:
            lat, lon = fence_center_wgs84(fence)
            props["radius_m"] = fence.radius_m
            geometry: dict[str, Any] = {"type": "Point", "coordinates": [lon, lat]}
        else:
            geometry = (
                dict(mapping(fence_geometry_wgs84(fence)))
                if fence.datum == Datum.GCJ02
                else fence.geometry or {}
            )
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    return features


class TrackView(ScopedDetailView):
    """One supervisee's track: county outline, fences, positions with replay, events.

    Everything is drawn in WGS-84 (the county outline is converted from the shipped GCJ-02 once
    and cached); there are no map tiles, so no datum mismatch with a base map can arise.
    Viewing a track is a read of personal data and is logged (Art 29: correction work only).
    """

    model = Supervisee
    template_name = "monitoring/track.html"

    def get_permission_required(self) -> Sequence[str]:
        return ["monitoring.view_position"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        supervisee: Supervisee = self.object
        user = self.request.user
        today = timezone.localdate()
        first = _parse_day(self.request.GET.get("since")) or today - dt.timedelta(days=6)
        last = _parse_day(self.request.GET.get("until")) or today
        if last < first:
            first, last = last, first
        since = timezone.make_aware(dt.datetime.combine(first, dt.time()))
        until = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time()))
        positions = selectors.track(user, supervisee, since, until)
        events = selectors.track_events(user, supervisee, since, until)
        record_personal_access(actor=user, obj=supervisee, field="track", purpose=f"{first}—{last}")
        county = supervisee.residence_division_id
        context.update(
            title=_("轨迹：%(name)s") % {"name": supervisee.name},
            since=first.isoformat(),
            until=last.isoformat(),
            position_count=len(positions),
            truncated=len(positions) >= selectors.MAX_TRACK_POINTS,
            map_data={
                "datum": "WGS-84",
                "outline": selectors.outline_geojson_wgs84(county, 0.0002),
                "county": supervisee.residence_division.name,
                "fences": fence_features(selectors.fences_of(user, supervisee)),
                "track": [
                    [
                        round(p.lat_wgs84, 6),
                        round(p.lon_wgs84, 6),
                        int(p.ts.timestamp()),
                        None if p.accuracy is None else round(p.accuracy, 1),
                    ]
                    for p in positions
                ],
                "events": [
                    {
                        "lat": a.lat_wgs84,
                        "lon": a.lon_wgs84,
                        "ts": int(a.occurred_at.timestamp()),
                        "kind": a.kind,
                        "label": str(a.get_kind_display()),
                        "fence": a.fence_label,
                        "status": str(a.get_status_display()),
                        "url": reverse("monitoring:alert-detail", args=[a.pk]),
                    }
                    for a in events
                    if a.lat_wgs84 is not None
                ],
            },
        )
        return context


@login_required
def province_map(request: HttpRequest) -> HttpResponse:
    """Open alerts by county: a choropleth drawn from the shipped county outlines (WGS-84)."""
    if not request.user.has_perm("monitoring.view_alert"):
        raise PermissionDenied
    counts = selectors.open_alert_counts_by_county(request.user)
    features: list[dict[str, Any]] = []
    for division in selectors.counties_for(request.user):
        outline = selectors.outline_geojson_wgs84(division.code, 0.003)
        if outline is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": outline,
                "properties": {
                    "code": division.code,
                    "name": division.name,
                    "count": counts.get(division.code, 0),
                    "url": reverse("monitoring:alert-list") + f"?county={division.code}",
                },
            }
        )
    return render(
        request,
        "monitoring/province_map.html",
        {
            "title": _("定位预警分布"),
            "map_data": {"datum": "WGS-84", "features": features},
            "total": sum(counts.values()),
            "rows": sorted(
                (
                    (f["properties"]["name"], f["properties"]["count"])
                    for f in features
                    if f["properties"]["count"]
                ),
                key=lambda r: -r[1],
            ),
        },
    )
