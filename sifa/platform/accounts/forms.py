from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp import match_token, user_has_device


class LoginForm(AuthenticationForm):
    """Username + password, and a TOTP code for accounts that have a confirmed device."""

    otp_token = forms.CharField(
        label=_("动态口令"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=_("已绑定身份验证器的工作人员须填写"),
    )

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        needs_otp = user_has_device(user, confirmed=True) or user.must_use_otp
        if not needs_otp:
            return
        token = (self.cleaned_data.get("otp_token") or "").strip()
        if not token:
            raise forms.ValidationError(_("请输入身份验证器上的6位动态口令。"), code="otp_required")
        device = match_token(user, token)
        if device is None:
            raise forms.ValidationError(_("动态口令不正确或已过期。"), code="otp_invalid")
        self.otp_device = device


class TotpConfirmForm(forms.Form):
    token = forms.CharField(label=_("动态口令"), max_length=8)
