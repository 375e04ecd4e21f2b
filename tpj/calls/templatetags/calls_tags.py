from django import template

from tpj.calls.models import ApplicationState, CallKind, CallState
from tpj.calls.models import euros as format_euros
from tpj.core.text import french_plural

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


# How a count of applications in each state reads ("2 lauréates"): singular, plural.
APPLICATION_COUNTS = {
    A.DRAFT: ("brouillon", "brouillons"),
    A.SUBMITTED: ("déposée, en instruction", "déposées, en instruction"),
    A.INFO_REQUESTED: ("en attente de complément", "en attente de complément"),
    A.ELIGIBLE: ("recevable, soumise au jury", "recevables, soumises au jury"),
    A.INELIGIBLE: ("irrecevable", "irrecevables"),
    A.LAUREATE: ("lauréate", "lauréates"),
    A.WAITING_LIST: ("en liste d'attente", "en liste d'attente"),
    A.REJECTED: ("non retenue", "non retenues"),
    A.WITHDRAWN: ("retirée", "retirées"),
}


@register.filter
def application_counts(counts) -> str:
    """{state: n} as French ("1 brouillon, 2 lauréates"), in the order of the lifecycle."""
    parts = []
    for state in A:
        n = (counts or {}).get(state, 0)
        if n:
            singular, plural = APPLICATION_COUNTS.get(state, (A(state).label.lower(),) * 2)
            parts.append(f"{n} {french_plural(n, singular, plural)}")
    return ", ".join(parts) or "aucune"


@register.inclusion_tag("calls/_state_badge.html")
def state_badge(obj):
    return {"label": obj.get_state_display(), "kind": STATE_BADGES.get(obj.state, "")}


# DSFR accent of each kind's badge; the 1000-jours regional call, the usual kind, has none.
KIND_BADGES = {CallKind.TERRITORIAL_TRAINING: "purple-glycine"}


@register.inclusion_tag("calls/_state_badge.html")
def kind_badge(call):
    """The badge of a call's kind (« Formation petite enfance »), beside its state: only for the
    kinds other than the 1000-jours regional call."""
    if call.kind not in KIND_BADGES:
        return {"label": ""}
    return {"label": call.definition.badge, "kind": KIND_BADGES[call.kind]}
