"""Applications: the content an applicant fills in, drafts, attachments, submission and withdrawal."""

from django.core.exceptions import ValidationError
from django.db import transaction
from stdnum.fr import siret as stdnum_siret

from tpj.audit.services import record
from tpj.core import policy
from tpj.core.creation_tokens import CreationToken

from ..models import (
    Application,
    Attachment,
    Call,
)
from ..workflows import APPLICATION_WORKFLOW
from .carrier import lookup_before_saving
from .content import ApplicationContent, validate_content, write_content
from .files import attachment_file_name, validate_attachment


def create_application(user, call: Call, content: ApplicationContent, client_token=None) -> tuple[Application, bool]:
    """Create a draft for the user's organisation; a replayed token returns the first one.

    Returns (application, created).
    """
    policy.require(user, "calls.apply", call)
    token = CreationToken(
        Application.objects,
        client_token,
        is_owner=lambda app: app.created_by_id == user.pk,
        foreign_message="Ce jeton de création appartient à une autre candidature.",
    )
    if (existing := token.replayed()) is not None:
        return existing, False
    validate_content(call, content)
    sirene = lookup_before_saving(Application(), stdnum_siret.compact(content.carrier_siret or ""))  # no transaction open
    return token.create(lambda: _new_application(user, call, content, sirene, token.client_token))


def _new_application(user, call: Call, content: ApplicationContent, sirene, client_token) -> Application:
    app = Application(call=call, organisation=user.organisation, created_by=user, title=content.title.strip())
    if client_token:  # else the model's own (every application has one)
        app.client_token = client_token
    app.save()
    write_content(app, content, sirene)
    record(actor=user, obj=app, action="calls.application.created", to_state=app.state)
    return app


def update_application(app: Application, user, content: ApplicationContent) -> Application:
    """Save the draft (applicant only, draft only)."""
    policy.require(user, "calls.edit_application", app)
    validate_content(app.call, content)
    sirene = lookup_before_saving(app, stdnum_siret.compact(content.carrier_siret or ""))  # no lock held meanwhile
    with transaction.atomic():
        # a submission at the same time waits for this save, or has happened: then refused
        app = fresh_application(app, lock=True)
        policy.require(user, "calls.edit_application", app)
        write_content(app, content, sirene)
        record(actor=user, obj=app, action="calls.application.saved")
    return app


def add_attachment(app: Application, user, label: str, upload) -> Attachment:
    policy.require(user, "calls.act_as_carrier", app)
    # the state is read on the locked row (until the request's transaction ends): a submission at
    # the same time waits, or has happened and the attachment is refused
    with transaction.atomic():
        app = fresh_application(app, lock=True)
        if app.state not in (Application.State.DRAFT, Application.State.INFO_REQUESTED):
            raise ValidationError("Les pièces jointes s'ajoutent au brouillon ou en réponse à une demande de complément.")
        content_type = validate_attachment(upload)
        label = label or upload.name
        upload.name = attachment_file_name(content_type)
        attachment = Attachment.objects.create(application=app, label=label, file=upload, uploaded_by=user)
        record(actor=user, obj=app, action="calls.application.attachment_added", after={"label": attachment.label})
    return attachment


def submit_application(app: Application, user) -> Application:
    """Submit before the deadline (server clock, Europe/Paris); stamps a reference and sends the receipt."""
    return APPLICATION_WORKFLOW.fire(app, "submit", user)


def withdraw_application(app: Application, user, reason: str = "") -> Application:
    """The carrier withdraws its application, before any decision."""
    return APPLICATION_WORKFLOW.fire(app, "withdraw", user, reason)


def fresh_application(app: Application, lock: bool = False) -> Application:
    """The application as stored now (callers may hold an instance from before a transition).

    With `lock`, its row stays locked until the caller's transaction ends (every request is one
    transaction, ATOMIC_REQUESTS): a service that checks the state and then writes decides on
    this row, and a transition fired at the same time waits for it.
    """
    rows = Application.objects.select_related("call__region", "call__campaign")
    if lock:
        rows = rows.select_for_update(of=("self",))
    return rows.get(pk=app.pk)
