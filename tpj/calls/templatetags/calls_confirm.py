"""`{% notify_confirmation call as text %}`: what « Notifier les décisions » cannot undo on
`call` ("" when no letter would leave), for its confirmation modal (calls/_notify_button.html);
`{% action_confirmation "sign_convention" as text %}`: the same for the other irreversible
service actions (tpj.calls.workflow_confirmations)."""

from django import template

from ..services.notify_confirmation import notify_confirmation as _notify_confirmation
from ..workflow_confirmations import confirmation_text

register = template.Library()


@register.simple_tag
def notify_confirmation(call) -> str:
    return _notify_confirmation(call)


@register.simple_tag
def action_confirmation(name: str, obj=None) -> str:
    """What the irreversible service action `name` cannot undo (tpj.calls.workflow_confirmations):
    `{% action_confirmation "sign_convention" as text %}`."""
    return confirmation_text(name, obj)
