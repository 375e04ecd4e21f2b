"""Irreversible transitions are confirmed before they are fired (issue 18 §5).

A transition that declares `confirm` (tpj.core.workflow.Transition) is fired only by a POST
carrying `confirm=1`. Its button (templates/core/_confirm_transition.html) opens a DSFR
modal that says what cannot be undone, whose « Confirmer » button sends `confirm=1`.
Without JavaScript the button posts without it: the view then answers with the
confirmation step (`confirmation_step`), the same text and a « Confirmer » button that posts
the form again with `confirm=1`. Nothing is fired without it, whoever sends the POST.
"""

from django.shortcuts import render

CONFIRMED = "confirm"


def unconfirmed(transition, obj, data) -> str:
    """What the person must confirm before `data` (a POST) fires `transition` on `obj`:
    the transition's text when it has one and `data` lacks `confirm=1`, otherwise ""."""
    if data.get(CONFIRMED) == "1":
        return ""
    return transition.confirmation(obj)


def confirmation_step(request, *, transition, text: str, action: str, back: str, title: str = ""):
    """The page that asks to confirm an unconfirmed POST of an irreversible transition: it
    posts the request's own fields again to `action`, with `confirm=1`; « Annuler » goes
    back to `back`."""
    fields = [
        (name, value)
        for name in request.POST
        if name not in ("csrfmiddlewaretoken", CONFIRMED)
        for value in request.POST.getlist(name)
    ]
    return render(
        request,
        "core/confirm_transition.html",
        {"transition": transition, "text": text, "action": action, "back": back, "fields": fields, "title": title},
    )
