from django import template

from tpj.calls.models import ApplicationState, CallState
from tpj.calls.models import euros as format_euros

register = template.Library()


@register.filter
def euros(value):
    return format_euros(value)


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key)


C, A = CallState, ApplicationState
# DSFR badge kind of each state (an empty kind is the neutral badge).
STATE_BADGES = {
    C.DRAFT: "",
    C.PUBLISHED: "success",
    C.CLOSED: "info",
    C.LAUREATES_DECIDED: "new",
    C.TRANSMITTED: "success",
    A.SUBMITTED: "info",
    A.INFO_REQUESTED: "warning",
    A.ELIGIBLE: "info",
    A.INELIGIBLE: "error",
    A.LAUREATE: "success",
    A.WAITING_LIST: "warning",
    A.REJECTED: "error",
    A.WITHDRAWN: "",
}


@register.inclusion_tag("calls/_state_badge.html")
def state_badge(obj):
    return {"label": obj.get_state_display(), "kind": STATE_BADGES.get(obj.state, "")}
