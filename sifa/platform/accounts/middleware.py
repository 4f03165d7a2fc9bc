"""Idle-session timeout: a session unused for SESSION_IDLE_TIMEOUT seconds is logged out."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

ACTIVITY_WRITE_INTERVAL = 60  # seconds; the idle timeout is measured in minutes


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get("last_activity")
            if last is not None and now - int(last) > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                messages.info(request, _("您已长时间未操作，为保护信息安全已自动退出，请重新登录。"))
            elif last is None or now - int(last) >= ACTIVITY_WRITE_INTERVAL:
                # Written at most once a minute: a session write on every GET costs an UPDATE +
                # commit per request (bench/web.py measured p50 63.7 → 50.3 ms without it).
                request.session["last_activity"] = now
        return self.get_response(request)
