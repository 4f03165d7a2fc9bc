"""One login for every subsystem: throttling, password policy, idle timeout, optional TOTP."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from sifa.platform.testing.tree import PASSWORD


def _login(client, username: str, password: str, token: str = ""):
    return client.post("/accounts/login/", {"username": username, "password": password, "otp_token": token})


def test_login_lands_on_dashboard_with_user_org(client, users) -> None:
    response = _login(client, "dh_staff", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/").content.decode()
    assert "东湖区司法局" in page and "司法局工作人员" in page


def test_wrong_password_shows_error_and_repeated_failures_lock_the_account(client, users, settings) -> None:
    response = _login(client, "dh_staff", "wrong-password")
    assert response.status_code == 200 and "请输入一个正确的用户名和密码" in response.content.decode()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "dh_staff", "wrong-password")
    locked = _login(client, "dh_staff", PASSWORD)  # even the right password is refused while locked
    assert locked.status_code == 429 and "锁定" in locked.content.decode()


@pytest.mark.parametrize("password", ["short1A!", "alllowercaseletters", "1234567890123", "abcdefghij12"])
def test_password_policy_rejects_weak_passwords(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password)


def test_password_policy_accepts_a_strong_password() -> None:
    validate_password("Heng-Shan-2026")


def test_idle_session_times_out(client, users, settings) -> None:
    client.force_login(users["donghu_staff"])
    assert client.get("/").status_code == 200
    session = client.session
    session["last_activity"] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_staff_with_totp_needs_the_code(client, users) -> None:
    device = TOTPDevice.objects.create(user=users["donghu_head"], name="phone", confirmed=True)
    response = _login(client, "dh_head", PASSWORD)
    assert response.status_code == 200 and "动态口令" in response.content.decode()
    response = _login(client, "dh_head", PASSWORD, token=_code(device))
    assert response.status_code == 302


def test_wrong_totp_code_is_refused_and_throttles_guessing(client, users) -> None:
    device = TOTPDevice.objects.create(user=users["donghu_head"], name="phone", confirmed=True)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    response = _login(client, "dh_head", PASSWORD, token=wrong)
    assert response.status_code == 200 and "动态口令不正确" in response.content.decode()
    # django-otp backs off after a failure, so even the right code is refused straight after a guess.
    assert _login(client, "dh_head", PASSWORD, token=_code(device)).status_code == 200
