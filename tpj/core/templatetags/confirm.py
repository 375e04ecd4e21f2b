"""The button of a workflow transition, with its confirmation when it cannot be undone
(tpj.core.confirm): `{% transition_button transition obj action_url %}`."""

from django import template

from tpj.core.workflow import all_workflows

register = template.Library()


@register.inclusion_tag("core/_confirm_transition.html", takes_context=True)
def transition_button(context, transition, obj, action: str, classes: str = ""):
    """A form posting to `action` that fires `transition` on `obj`: a reason field when the
    transition requires one; a DSFR modal saying what cannot be undone when it declares it."""
    return {
        "csrf_token": context.get("csrf_token"),
        "transition": transition,
        "text": transition.confirmation(obj),
        "action": action,
        "classes": classes,
        "modal_id": f"confirmer-{transition.name.replace('_', '-')}-{obj.pk}",
    }


@register.simple_tag
def confirmation(workflow: str, name: str, obj) -> str:
    """What cannot be undone when transition `name` of `workflow` is fired on `obj` ("" when it can be):
    `{% confirmation "calls.application" "withdraw" app as text %}`."""
    return next(w for w in all_workflows() if w.name == workflow).get(name).confirmation(obj)
