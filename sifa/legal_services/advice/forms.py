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


class ReviewForm(forms.Form):
    review_note = forms.CharField(
        label=_("复核意见"), max_length=500, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )
