from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .cards import cards_for


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    cards = cards_for(request.user)
    charts = [
        {"id": f"chart-{i}", "label": c.label, "option": json.dumps(c.chart, ensure_ascii=False)}
        for i, c in enumerate(cards)
        if c.chart
    ]
    return render(
        request,
        "ui/dashboard.html",
        {"title": _("工作台"), "cards": [c for c in cards if not c.chart], "charts": charts},
    )
