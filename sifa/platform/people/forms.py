from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sifa.platform.orgs.models import Org


class PersonForm(forms.Form):
    org = forms.ModelChoiceField(label=_("登记机构"), queryset=Org.objects.none())
    name = forms.CharField(label=_("姓名"), max_length=64)
    id_number = forms.CharField(label=_("身份证号"), max_length=32)
    phone = forms.CharField(label=_("手机号"), max_length=32, required=False)
    address = forms.CharField(label=_("住址"), max_length=255, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = Org.objects.restrict(user, "view")  # type: ignore[attr-defined]
        if user.org_id:
            self.fields["org"].initial = user.org_id
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
