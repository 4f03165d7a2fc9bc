from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sifa.penal.corrections.models import Supervisee
from sifa.penal.corrections.selectors import monitored_supervisee_ids

from .models import DeviceKind, Protocol


class DeviceForm(forms.Form):
    supervisee = forms.ModelChoiceField(
        label=_("社区矫正对象"),
        queryset=Supervisee.objects.none(),
        help_text=_("仅列出有生效电子定位决定的对象（社区矫正法第二十九条）。"),
    )
    device_id = forms.CharField(
        label=_("设备编号"), max_length=64, help_text=_("与设备上的标识一致，例如 IMEI。")
    )
    kind = forms.ChoiceField(label=_("设备类型"), choices=DeviceKind.choices)
    protocol = forms.ChoiceField(label=_("协议"), choices=Protocol.choices)
    with_token = forms.BooleanField(
        label=_("生成设备口令"), required=False, help_text=_("口令只显示一次，须配置在设备的上报地址中。")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visible = Supervisee.objects.restrict(user, "view")
        monitored = monitored_supervisee_ids(timezone.localdate(), among=visible.values_list("pk", flat=True))
        self.fields["supervisee"].queryset = visible.filter(pk__in=monitored).order_by("name")  # type: ignore[attr-defined]
        for name, field in self.fields.items():
            if name != "with_token":
                field.widget.attrs.setdefault(
                    "class", "form-select" if hasattr(field, "choices") else "form-control"
                )
