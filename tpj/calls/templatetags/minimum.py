"""The national minimum's panel of a call (its page, its decisions page): the laureates'
endowment against the minimum, the warning while the applications are open, and the national
derogation (asked, granted, refused) with the forms of whoever may act on it."""

from django import template

from tpj.core import policy

from ..services.allocations import open_call_warning, progress_of
from ..services.derogations import OPEN_STATES

register = template.Library()


def not_open(derogation) -> bool:
    """No derogation asked nor granted (none yet, or the last one refused)."""
    return derogation is None or derogation.state == derogation.State.REFUSED


@register.inclusion_tag("calls/_minimum_panel.html", takes_context=True)
def minimum_panel(context, call):
    user = context["request"].user
    manager = bool(policy.check(user, "calls.manage_call", call))
    national = bool(policy.check(user, "calls.grant_minimum_derogation", call))
    if not (manager or national) or not call.definition.national_minimum:
        return {"shown": False}
    progress = progress_of(call)
    latest = call.derogations.select_related("requested_by", "decided_by").first()  # newest first
    pending = latest is not None and latest.state == latest.State.REQUESTED
    undecided = call.state in OPEN_STATES
    return {
        "shown": True,
        "call": call,
        "csrf_token": context.get("csrf_token"),
        "progress": progress,
        "open_warning": open_call_warning(call),
        "derogation": latest,
        "can_request": manager
        and undecided
        and not progress.reached
        and (latest is None or latest.state == latest.State.REFUSED),
        "can_grant": national and undecided and (pending or (not progress.reached and not_open(latest))),
        "can_refuse": national and undecided and pending,
    }
