"""Conventions de subvention: prepared from a laureate's decision, drawn once by a worker,
signed, then paid along their schedule.

    draft_for(app)                  — the current convention, or an unsaved one whose
                                      signature deadline is two months away;
    schedule_lines(convention)      — its schedule, by default 70 % at the signature and
                                      30 % on the final report.
    save_schedule(app, user, …)     — the manager's schedule and signature deadline (while
                                      the convention is not drawn).
    request_convention(conv, user)  — the drawing asked of a worker, queued on commit.
    issue_convention(conv_id)       — the worker's task (tpj.calls.tasks.conventions): claims
                                      the row with a lease, draws the PDF outside any
                                      transaction, stores it, marks it issued (SHA-256 in the
                                      row and the audit log) and e-mails it to the carrier.
    recover_conventions()           — every minute: drawings whose task was lost or whose
                                      worker died.
    sign_convention(conv, user, …)  — the signed copy uploaded (a PDF by its content) with its
                                      signature date, also written on the application.
    record_instalment_payment(…)    — a payment settling one instalment on one envelope, never
                                      above what that instalment still owes on it.
    convention_overdue(app)         — issued, unsigned and past its signature deadline: the
                                      manager may withdraw the laureate.

An issued convention is never redrawn; its download serves the stored file. Its claim,
drawing and issue are the decision letters' too (tpj.calls.services.issued_documents). Amounts are
Decimal euros (money_field); an instalment's share of an envelope is rounded down to the
cent, the last instalment taking what is left, so that the schedule adds up exactly.
"""

import datetime
import hashlib
import logging
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from tpj.audit.services import record
from tpj.core import policy
from tpj.core.uploads import PDF, check_upload
from tpj.outbox.delivery import lease

from ..emails import CONVENTION
from ..models import (
    ZERO,
    Application,
    Call,
    Convention,
    EnvelopeRequest,
    Instalment,
    InstalmentPayment,
    Payment,
    ReportKind,
    euros,
)
from . import issued_documents
from .files import PDF_MAX_BYTES
from .follow_up import record_payment, report_dues
from .issued_documents import Issue, IssuedDocument, Mail

logger = logging.getLogger(__name__)


# Attempts at drawing and storing a convention before it is failed (shown on its page).
MAX_ATTEMPTS = 3
SIGNATURE_DELAY = datetime.timedelta(days=61)
DEFAULT_SCHEDULE = [("À la signature de la convention", 70), ("Sur remise du rapport final", 30)]
CENT = Decimal("0.01")

NOT_LAUREATE = "Seul un projet lauréat fait l'objet d'une convention de subvention."
LIST_NOT_DECIDED = "La convention se prépare une fois la liste des lauréats arrêtée."


@dataclass
class ScheduleLine:
    label: str
    percent: int
    due_on: datetime.date | None = None


@dataclass
class Share:
    """What one instalment owes on one envelope, and what has been paid of it."""

    instalment: Instalment
    request: EnvelopeRequest
    due: Decimal
    paid: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.due - self.paid


def current_convention(app: Application) -> Convention | None:
    """The convention of the application's current decision, if one was prepared."""
    if app.decided_at is None or app.state != Application.State.LAUREATE:
        return None
    return app.conventions.filter(decided_at=app.decided_at).first()


def draft_for(app: Application) -> Convention:
    """The current convention, or an unsaved one due for signature two months from today."""
    return current_convention(app) or Convention(
        application=app, decided_at=app.decided_at, signature_deadline=timezone.localdate() + SIGNATURE_DELAY
    )


def schedule_lines(convention: Convention) -> list[ScheduleLine]:
    """The convention's schedule; the default one (70 % / 30 %) for a convention not yet saved."""
    if convention.pk is None:
        return [ScheduleLine(label, percent) for label, percent in DEFAULT_SCHEDULE]
    return [ScheduleLine(i.label, i.percent, i.due_on) for i in convention.instalments.all()]


def convention_overdue(app: Application, today: datetime.date | None = None) -> bool:
    """The laureate's convention was issued, is still unsigned, and its signature deadline has
    passed: the manager may withdraw the laureate (and promote the waiting list)."""
    today = today or timezone.localdate()
    return Convention.objects.overdue(today).filter(application=app).exists()


def overdue_application_ids(call: Call, today: datetime.date | None = None) -> set[int]:
    """The laureates of `call` whose convention is overdue (see `convention_overdue`)."""
    today = today or timezone.localdate()
    return set(Convention.objects.overdue(today).filter(application__call=call).values_list("application_id", flat=True))


def _check_schedule(lines: list[ScheduleLine], signature_deadline: datetime.date) -> None:
    errors = []
    if not lines:
        errors.append("Indiquez au moins une échéance de versement.")
    for number, line in enumerate(lines, start=1):
        if not line.label.strip():
            errors.append(f"Nommez l'échéance n° {number} (par exemple « À la signature de la convention »).")
        if not 1 <= line.percent <= 100:
            errors.append(f"La part de l'échéance n° {number} doit être comprise entre 1 et 100 %.")
    total = sum(line.percent for line in lines)
    if lines and total != 100:
        errors.append(f"Les échéances totalisent {total} % : elles doivent totaliser 100 % de la subvention.")
    if signature_deadline < timezone.localdate():
        errors.append("La date limite de signature est déjà passée.")
    if errors:
        raise ValidationError(errors)


def _lock_laureate(app: Application) -> Application:
    app = Application.objects.select_for_update(of=("self",)).select_related("call").get(pk=app.pk)
    if app.state != Application.State.LAUREATE:
        raise ValidationError(NOT_LAUREATE)
    if app.call.state not in (Call.State.LAUREATES_DECIDED, Call.State.TRANSMITTED):
        raise ValidationError(LIST_NOT_DECIDED)
    return app


def save_schedule(app: Application, user, lines: list[ScheduleLine], signature_deadline: datetime.date) -> Convention:
    """Set the payment schedule and the signature deadline of the laureate's convention
    (created for its current decision if need be), while it is not drawn."""
    policy.require(user, "calls.manage_follow_up", app)
    _check_schedule(lines, signature_deadline)
    with transaction.atomic():
        app = _lock_laureate(app)
        convention, _ = Convention.objects.select_for_update().get_or_create(
            application=app,
            decided_at=app.decided_at,
            defaults={"signature_deadline": signature_deadline, "requested_by": user},
        )
        if not convention.is_editable:
            raise ValidationError("La convention est déjà rédigée : son échéancier ne peut plus être modifié.")
        convention.signature_deadline = signature_deadline
        convention.save(update_fields=["signature_deadline"])
        convention.instalments.all().delete()
        Instalment.objects.bulk_create(
            Instalment(convention=convention, position=i, label=line.label.strip(), percent=line.percent, due_on=line.due_on)
            for i, line in enumerate(lines)
        )
        record(
            actor=user,
            obj=app,
            action="calls.convention.schedule",
            after={
                "échéances": [f"{line.label.strip()} : {line.percent} %" for line in lines],
                "signature avant le": signature_deadline.isoformat(),
            },
        )
    return convention


def shares(convention: Convention) -> list[Share]:
    """Every (instalment, envelope) of the convention with its amount due and paid, instalments
    in order: each envelope's allocation split by the instalments' percentages, rounded down to
    the cent, the last instalment taking the remainder."""
    instalments = list(convention.instalments.all())
    requests = list(convention.application.requests.filter(amount_allocated__gt=0).select_related("envelope__funding_source"))
    paid = {
        (row["instalment_id"], row["payment__request_id"]): row["total"]
        for row in InstalmentPayment.objects.filter(instalment__convention=convention)
        .values("instalment_id", "payment__request_id")
        .annotate(total=Sum("payment__amount"))
    }
    result = []
    for request in requests:
        left = request.amount_allocated
        for index, instalment in enumerate(instalments):
            if index == len(instalments) - 1:
                due = left
            else:
                due = (request.amount_allocated * instalment.percent / 100).quantize(CENT, rounding=ROUND_DOWN)
            left -= due
            result.append(Share(instalment, request, due, paid.get((instalment.pk, request.pk), ZERO)))
    result.sort(key=lambda s: (s.instalment.position, s.instalment.pk, s.request.envelope.agency))
    return result


def reporting_dates(app: Application) -> dict:
    """The report due dates the convention states, as the follow-up computes them
    (tpj.calls.services.follow_up.report_dues: the laureate's own, else the call's default)."""
    due = {d.kind: d.due_on for d in report_dues(app.call, applications=Application.objects.filter(pk=app.pk))}
    return {"interim_report_due": due.get(ReportKind.INTERIM), "final_report_due": due.get(ReportKind.FINAL)}


def request_convention(convention: Convention, user) -> Convention:
    """Ask a worker to draw the convention once the caller's transaction commits."""
    app = convention.application
    policy.require(user, "calls.manage_follow_up", app)
    with transaction.atomic():
        _lock_laureate(app)
        convention = Convention.objects.select_for_update().get(pk=convention.pk)
        if convention.decided_at != app.decided_at:
            raise ValidationError("Cette convention relève d'une décision rouverte depuis : préparez-en une nouvelle.")
        if not convention.is_editable:
            raise ValidationError("La convention est déjà rédigée ou en cours de rédaction.")
        if not convention.instalments.exists():
            raise ValidationError("Enregistrez d'abord l'échéancier des versements.")
        convention.state = Convention.State.REQUESTED
        convention.attempts = 0
        convention.requested_by = user
        convention.claimed_until = timezone.now() + lease()
        convention.save(update_fields=["state", "attempts", "requested_by", "claimed_until"])
        record(actor=user, obj=app, action="calls.convention.requested")
        issued_documents.queue_on_commit(CONVENTIONS, convention.pk)
    return convention


def issue_convention(convention_id: int) -> Convention | None:
    """Draw, store and issue convention `convention_id`, then e-mail it to the carrier; return
    it, or None when there is nothing to do (issued already, or another worker is drawing it)."""
    return issued_documents.issue(CONVENTIONS, convention_id)


def recover_conventions(*, limit: int = 500) -> int:
    """Queue again the drawings whose task was lost or whose worker died; return how many the queue took."""
    return issued_documents.recover(CONVENTIONS, limit=limit)


def _draw(convention: Convention) -> bytes:
    from ..conventions import convention_pdf  # reportlab, loaded by the worker only

    return convention_pdf(convention, shares(convention), reporting_dates(convention.application))


def _mail(convention: Convention, app: Application) -> Mail:
    return Mail(
        CONVENTION,
        f"Convention de subvention — {app.reference}",
        f"Veuillez trouver ci-joint la convention de subvention de votre projet « {app.title} ». "
        f"Retournez-la signée avant le {convention.signature_deadline:%d/%m/%Y} : déposez-la sur la page de votre "
        "candidature.",
    )


CONVENTIONS = IssuedDocument(
    model=Convention,
    task="tpj.calls.tasks.conventions.draw_convention",
    logger=logger,
    name="Convention",
    related=("call__region", "call__campaign", "organisation", "created_by"),
    decided_states=(Application.State.LAUREATE,),
    # the decision was reopened meanwhile: back to the manager (its page says it is obsolete)
    obsolete={"state": Convention.State.FAILED, "last_error": "La décision a été rouverte."},
    draw=_draw,
    max_attempts=MAX_ATTEMPTS,
    failure="La convention n'a pas pu être rédigée ({}).",
    issue=Issue(file_prefix="convention", mail=_mail, audit_action="calls.convention.issued", audit_key="convention"),
)


def check_signed_copy(upload) -> None:
    """The signed copy is given, a PDF by its content, not too large (French ValidationError)."""
    if upload is None:
        raise ValidationError({"file": "Joignez la convention signée (PDF)."})
    check_upload(
        upload,
        accepted={PDF},
        max_bytes=PDF_MAX_BYTES,
        too_large="La convention signée « {name} » pèse {size_mb} Mo : la limite est de {max_mb} Mo.",
        bad_type="La convention signée doit être un PDF : le contenu de « {name} » n'en est pas un.",
    )


def sign_convention(convention: Convention, user, upload, signed_on: datetime.date) -> Convention:
    """Record the signed convention: its copy (a PDF by its content, size limited) and its
    signature date, between the issue and today; the date is also the application's
    `convention_signed_on` (exports, SCDL)."""
    app = convention.application
    policy.require(user, "calls.sign_convention", app)
    check_signed_copy(upload)
    with transaction.atomic():
        app = Application.objects.select_for_update(of=("self",)).get(pk=app.pk)
        if app.state != Application.State.LAUREATE:
            raise ValidationError(NOT_LAUREATE)
        locked = Convention.objects.select_for_update().get(pk=convention.pk)
        if locked.decided_at != app.decided_at:
            raise ValidationError("Cette convention relève d'une décision rouverte depuis.")
        if locked.state == Convention.State.SIGNED:
            raise ValidationError(f"La convention est déjà signée (le {locked.signed_on:%d/%m/%Y}).")
        if locked.state != Convention.State.ISSUED:
            raise ValidationError("La convention n'est pas encore rédigée : attendez son émission avant de la signer.")
        if signed_on > timezone.localdate():
            raise ValidationError({"signed_on": "La date de signature ne peut pas être dans le futur."})
        if signed_on < timezone.localdate(locked.issued_at):
            raise ValidationError(
                {
                    "signed_on": f"La convention a été émise le {timezone.localdate(locked.issued_at):%d/%m/%Y} : "
                    "elle ne peut avoir été signée avant."
                }
            )
        upload.seek(0)
        content = upload.read()
        locked.signed_file.save(f"convention-signee-{app.reference}-{locked.pk}.pdf", ContentFile(content), save=False)
        locked.signed_sha256 = hashlib.sha256(content).hexdigest()
        locked.signed_on = signed_on
        locked.signed_recorded_by = user
        locked.state = Convention.State.SIGNED
        locked.save(update_fields=["signed_file", "signed_sha256", "signed_on", "signed_recorded_by", "state"])
        app.convention_signed_on = signed_on
        app.save(update_fields=["convention_signed_on", "updated_at"])
        record(
            actor=user,
            obj=app,
            action="calls.convention.signed",
            after={"signed_on": signed_on.isoformat(), "sha256": locked.signed_sha256},
        )
    return locked


def record_instalment_payment(
    instalment: Instalment, request: EnvelopeRequest, user, amount: Decimal, paid_on: datetime.date, label: str = ""
) -> Payment:
    """A payment on `request`'s envelope settling `instalment` of a signed convention: never
    above what the instalment still owes on that envelope, never before the signature."""
    convention = instalment.convention
    app = convention.application
    policy.require(user, "calls.manage_follow_up", app)
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "Le montant versé doit être positif."})
    with transaction.atomic():
        app = Application.objects.select_for_update(of=("self",)).get(pk=app.pk)
        convention = Convention.objects.select_for_update().get(pk=convention.pk)
        if convention.decided_at != app.decided_at or app.state != Application.State.LAUREATE:
            raise ValidationError("Cette convention relève d'une décision rouverte depuis : aucun versement possible.")
        if convention.state != Convention.State.SIGNED:
            raise ValidationError("La convention n'est pas signée : aucun versement avant sa signature.")
        if paid_on < convention.signed_on:
            raise ValidationError(
                {"paid_on": f"Un versement ne peut précéder la signature de la convention ({convention.signed_on:%d/%m/%Y})."}
            )
        share = next((s for s in shares(convention) if s.instalment.pk == instalment.pk and s.request.pk == request.pk), None)
        if share is None:
            raise ValidationError({"request": "Cette enveloppe ne finance pas ce projet."})
        if amount > share.remaining:
            raise ValidationError(
                {
                    "amount": f"L'échéance « {instalment.label} » doit {euros(share.due)} sur l'enveloppe "
                    f"{request.envelope.agency}, dont {euros(share.paid)} déjà versés : ce versement de {euros(amount)} "
                    f"la dépasserait (reste dû : {euros(share.remaining)})."
                }
            )
        payment = record_payment(request, user, amount, paid_on, label or instalment.label)
        InstalmentPayment.objects.create(payment=payment, instalment=instalment)
    return payment
