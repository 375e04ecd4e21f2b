"""The convention panel of an application's page: what its reader may see of the laureate's
convention, and the ZIP of its attachments for those who instruct it."""

from django import template

from tpj.core import policy

from ..models import Application
from ..services.conventions import convention_overdue, current_convention

register = template.Library()


@register.inclusion_tag("calls/conventions/_panel.html", takes_context=True)
def convention_panel(context, app: Application):
    user = context["request"].user
    laureate = app.state == Application.State.LAUREATE and bool(policy.check(user, "calls.view_convention", app))
    return {
        "app": app,
        "laureate": laureate,
        "convention": current_convention(app) if laureate else None,
        "overdue": laureate and convention_overdue(app),
        "may_zip": app.state != Application.State.DRAFT and bool(policy.check(user, "calls.instruct", app)),
        "csrf_token": context.get("csrf_token"),
    }
