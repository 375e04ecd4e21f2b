"""`{% notify_confirmation call as text %}`: what « Notifier les décisions » cannot undo on
`call` ("" when no letter would leave), for its confirmation modal (calls/_notify_button.html)."""

from django import template

from ..services.notify_confirmation import notify_confirmation as _notify_confirmation

register = template.Library()


@register.simple_tag
def notify_confirmation(call) -> str:
    return _notify_confirmation(call)
