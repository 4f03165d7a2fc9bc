"""``{% load workflow_tags %}{% workflow_panel obj %}``: the state, statutory clocks, history and the
transition buttons of any workflow object, for a domain app's detail page."""

from __future__ import annotations

from typing import Any

from django import template

from ..selectors import clocks_of, history_of
from ..services import allowed_transitions

register = template.Library()


@register.inclusion_tag("workflow/_panel.html", takes_context=True)
def workflow_panel(context: dict[str, Any], obj: Any) -> dict[str, Any]:
    user = context["request"].user
    return {
        "obj": obj,
        "state_label": obj.get_state_display(),
        "clocks": list(clocks_of(obj, user)),
        "history": list(history_of(obj, user)),
        "actions": allowed_transitions(obj, user),
        "model_label": obj._meta.label_lower,
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }
