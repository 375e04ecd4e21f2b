"""The confirmation step of an irreversible action that sends a file (tpj.core.confirm asks for
the others): the page posts the form's fields again with `confirm=1`, and asks for the file
again, since no browser sends a file a second time."""

from django.shortcuts import render

from tpj.core.confirm import CONFIRMED


def upload_confirmation_step(request, *, action, text: str, url: str, back: str, file_field: str, file_label: str, **extra):
    """The page asking to confirm `action` (tpj.calls.workflow_confirmations.Action), posting to
    `url` the request's fields and the file `file_field` chosen again; « Annuler » goes to `back`.
    `extra`: title, accept (the file input's types), file_hint."""
    fields = [
        (name, value)
        for name in request.POST
        if name not in ("csrfmiddlewaretoken", CONFIRMED)
        for value in request.POST.getlist(name)
    ]
    context = {"transition": action, "text": text, "action": url, "back": back, "fields": fields}
    return render(request, "calls/confirm_upload.html", {**context, "file_field": file_field, "file_label": file_label, **extra})
