"""Per-client rate limit for the public pages, with the same rate as the public API endpoints."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from rest_framework.throttling import SimpleRateThrottle


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def over_limit(request: HttpRequest, scope: str = "public") -> bool:
    """True once this client has used up ``scope``'s rate in the current window."""
    rates = cast(dict[str, dict[str, str]], settings.REST_FRAMEWORK)["DEFAULT_THROTTLE_RATES"]
    rate = rates[scope]
    limit, period = SimpleRateThrottle.parse_rate(SimpleRateThrottle, rate)  # type: ignore[arg-type]
    key = f"sifa-rate:{scope}:{client_ip(request)}"
    added = cache.add(key, 1, timeout=period)
    count = 1 if added else cache.incr(key)
    return bool(limit is not None and count > limit)
