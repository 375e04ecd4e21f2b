from django import template

from tpj.calls.models import euros as format_euros

register = template.Library()


@register.filter
def euros(value):
    return format_euros(value)


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key)


STATE_BADGES = {
    "draft": "",
    "published": "success",
    "closed": "info",
    "laureates_decided": "new",
    "transmitted": "success",
    "submitted": "info",
    "info_requested": "warning",
    "eligible": "info",
    "ineligible": "error",
    "laureate": "success",
    "waiting_list": "warning",
    "rejected": "error",
    "withdrawn": "",
}


@register.inclusion_tag("calls/_state_badge.html")
def state_badge(obj):
    return {"label": obj.get_state_display(), "kind": STATE_BADGES.get(obj.state, "")}
