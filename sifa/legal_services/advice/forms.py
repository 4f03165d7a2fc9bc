from django import forms
from django.utils.translation import gettext_lazy as _


class AskForm(forms.Form):
    question = forms.CharField(
        label=_("您的问题"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "class": "form-control",
                "placeholder": _("例如：公司拖欠工资三个月了，我该怎么办？"),
            }
        ),
    )


class HandoverForm(forms.Form):
    phone = forms.CharField(
        label=_("联系电话（选填）"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "tel"}),
    )


def _category_choices() -> list[tuple[str, str]]:
    from sifa.intelligence.qa.classifier import CATEGORY_LABELS_ZH

    return [(code, f"{label}（{code}）") for code, label in CATEGORY_LABELS_ZH.items()]


class ReviewForm(forms.Form):
    reviewed_category = forms.ChoiceField(
        label=_("复核类别"),
        choices=_category_choices,
        required=False,
        help_text=_("问题实际所属的类别；分类有误时请改正，复核结果可导出用于重新训练。"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    review_note = forms.CharField(
        label=_("复核意见"), max_length=500, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )
