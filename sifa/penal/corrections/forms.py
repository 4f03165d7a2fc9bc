from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sifa.platform.orgs.models import Division, DivisionLevel, Org

from .config import current_rules
from .models import CorrectionType, DecidingOrganKind, LeaveKind, MonitoringGround, TeamRole, ViolationKind


class _Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = (
                "form-check-input"
                if isinstance(field, forms.BooleanField)
                else ("form-select" if hasattr(field, "choices") else "form-control")
            )
            field.widget.attrs.setdefault("class", css)


class DateInput(forms.DateInput):
    input_type = "date"


class IntakeForm(_Styled):
    org = forms.ModelChoiceField(label=_("负责司法所"), queryset=Org.objects.none())
    name = forms.CharField(label=_("姓名"), max_length=64)
    id_number = forms.CharField(label=_("身份证号"), max_length=32)
    phone = forms.CharField(label=_("手机号"), max_length=32, required=False)
    correction_type = forms.ChoiceField(label=_("矫正类别"), choices=CorrectionType.choices)
    deciding_organ_kind = forms.ChoiceField(label=_("决定机关类型"), choices=DecidingOrganKind.choices)
    deciding_organ = forms.CharField(label=_("决定机关"), max_length=128)
    judgment_number = forms.CharField(label=_("判决（裁定、决定）文号"), max_length=100, required=False)
    crime = forms.CharField(label=_("罪名"), max_length=100)
    sentence = forms.CharField(label=_("刑罚"), max_length=200)
    judgment_date = forms.DateField(label=_("判决（裁定、决定）日期"), widget=DateInput)
    effective_date = forms.DateField(label=_("生效日期"), widget=DateInput)
    period_start = forms.DateField(label=_("矫正期限起始日"), widget=DateInput)
    period_end = forms.DateField(label=_("矫正期限届满日"), widget=DateInput)
    supervision_level = forms.ChoiceField(label=_("管理等级"), choices=())
    residence_division = forms.ModelChoiceField(
        label=_("执行地（区县）"), queryset=Division.objects.filter(level=DivisionLevel.COUNTY)
    )
    residence_address = forms.CharField(label=_("居住地址"), max_length=255, required=False)
    document = forms.FileField(label=_("法律文书（判决书、执行通知书等）"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = Org.objects.restrict(user, "view").filter(  # type: ignore[attr-defined]
            kind__in=["justice_office", "justice_bureau", "corrections_center"]
        )
        self.fields["supervision_level"].choices = list(current_rules().supervision_levels)  # type: ignore[attr-defined]
        self.fields["supervision_level"].initial = "ordinary"
        if user.org_id:
            self.fields["org"].initial = user.org_id


class LeaveForm(_Styled):
    kind = forms.ChoiceField(label=_("类型"), choices=LeaveKind.choices)
    destination = forms.CharField(label=_("目的地"), max_length=200)
    reason = forms.CharField(label=_("事由"), max_length=500)
    start_date = forms.DateField(label=_("外出起始日"), widget=DateInput)
    end_date = forms.DateField(label=_("返回日期（经常性外出可不填）"), widget=DateInput, required=False)


class MonitoringForm(_Styled):
    ground = forms.ChoiceField(label=_("适用情形（第二十九条）"), choices=MonitoringGround.choices)
    ground_detail = forms.CharField(
        label=_("事实与理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    start_date = forms.DateField(label=_("起始日期"), widget=DateInput)
    end_date = forms.DateField(label=_("截止日期（不超过三个月）"), widget=DateInput)


class DecisionForm(_Styled):
    note = forms.CharField(label=_("审批意见"), max_length=500, required=False)


class ViolationForm(_Styled):
    kind = forms.ChoiceField(label=_("违规类型"), choices=ViolationKind.choices)
    occurred_on = forms.DateField(label=_("发生日期"), widget=DateInput)
    absconding_days = forms.IntegerField(label=_("脱离监管天数"), min_value=0, initial=0)
    corrected = forms.BooleanField(label=_("已改正"), required=False)
    description = forms.CharField(label=_("情况"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class PlanForm(_Styled):
    content = forms.CharField(label=_("矫正方案"), widget=forms.Textarea(attrs={"rows": 8}))


class TeamForm(_Styled):
    """Up to five members in one form (a 矫正小组 is small)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, 6):
            self.fields[f"name_{i}"] = forms.CharField(
                label=_("成员%(i)d 姓名") % {"i": i}, max_length=64, required=i == 1
            )
            self.fields[f"role_{i}"] = forms.ChoiceField(
                label=_("成员%(i)d 身份") % {"i": i}, choices=TeamRole.choices, required=False
            )
            self.fields[f"sex_{i}"] = forms.ChoiceField(
                label=_("成员%(i)d 性别") % {"i": i},
                choices=[("male", _("男")), ("female", _("女"))],
                required=False,
            )
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if hasattr(field, "choices") else "form-control"
            )

    def members(self) -> list[dict[str, str]]:
        data = self.cleaned_data
        return [
            {
                "name": data[f"name_{i}"],
                "role": data.get(f"role_{i}") or "",
                "sex": data.get(f"sex_{i}") or "",
            }
            for i in range(1, 6)
            if data.get(f"name_{i}")
        ]


class ResidenceChangeForm(_Styled):
    new_division = forms.ModelChoiceField(
        label=_("新执行地（区县）"), queryset=Division.objects.filter(level=DivisionLevel.COUNTY)
    )
    new_address = forms.CharField(label=_("新居住地址"), max_length=255)
    reason = forms.CharField(label=_("事由"), max_length=500)


# --- revocation (Arts 46–49) ----------------------------------------------------------------------


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class RevocationOpenForm(_Styled):
    receiving_body_kind = forms.ChoiceField(label=_("受理机关类型"), choices=DecidingOrganKind.choices)
    receiving_body = forms.CharField(label=_("受理机关（人民法院或决定机关）"), max_length=128)
    procuratorate = forms.CharField(label=_("同时抄送的人民检察院"), max_length=128)
    reasons = forms.CharField(label=_("理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.CharField(
        label=_("证据材料（第四十六条）"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RevocationSendForm(_Styled):
    sent_on = forms.DateField(label=_("送达日期"), widget=DateInput)
    # Not required here: the service refuses a missing copy with the statute's own words (Art 46).
    procuratorate_copy_on = forms.DateField(label=_("抄送人民检察院日期"), widget=DateInput, required=False)


class RevocationReceiptForm(_Styled):
    received_on = forms.DateField(label=_("人民法院（决定机关）收到日期"), widget=DateInput)


class ArrestRequestForm(_Styled):
    arrest_requested_at = forms.DateTimeField(label=_("提请逮捕时间"), widget=DateTimeInput)
    arrest_reason = forms.CharField(label=_("提请逮捕理由（可能逃跑或者可能发生社会危险）"), max_length=500)


def _yes_no(label: Any, yes: Any, no: Any) -> forms.TypedChoiceField:
    """A two-way decision posted as "1"/"0" and cleaned to a bool."""
    return forms.TypedChoiceField(label=label, choices=[("1", yes), ("0", no)], coerce=lambda v: v == "1")


class ArrestDecisionForm(_Styled):
    approve = _yes_no(_("决定"), _("决定逮捕"), _("不予逮捕"))
    arrest_decided_at = forms.DateTimeField(label=_("决定时间"), widget=DateTimeInput)
    arrested_on = forms.DateField(label=_("逮捕日期（决定逮捕时）"), widget=DateInput, required=False)


class RulingForm(_Styled):
    revoked = _yes_no(_("裁定（决定）结果"), _("撤销缓刑、假释（收监执行）"), _("不予撤销（不予收监执行）"))
    ruling_on = forms.DateField(label=_("裁定（决定）日期"), widget=DateInput)
    ruling_number = forms.CharField(label=_("裁定书（决定书）文号"), max_length=100)


class HandOverForm(_Styled):
    handed_over_on = forms.DateField(label=_("交付执行日期"), widget=DateInput)
    handed_over_to = forms.CharField(label=_("执行场所（监狱、看守所）"), max_length=128)
