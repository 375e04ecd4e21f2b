"""Business checks of the calls module, as French problems (an empty list when none).

The transitions declare them as guards (tpj/calls/workflows.py); the pages show them before
anyone tries (what a draft call or application still lacks, the eligibility checks).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from tpj.accounts.models import validate_siret

from ..models import (
    Application,
    Call,
    CallQuestion,
    RequiredDocument,
    Targeting,
    euros,
)
from .allocations import progress_of
from .content import content_of, validate_content


def publication_problems(call: Call) -> list[str]:
    problems = []
    reference = call.definition.reference  # the 6 national axes, or the 7 training themes
    axes = list(call.axes.annotate(n=Count(reference.field)))
    if not axes:
        problems.append("Retenez au moins un axe.")
    problems += [f"L'axe « {a.label} » doit se rattacher à au moins un {reference.name}." for a in axes if a.n == 0]
    if not call.criteria.exists():
        problems.append("Définissez au moins un critère de sélection.")
    if not call.applications_deadline:
        problems.append("Fixez la date limite de dépôt des candidatures.")
    elif call.applications_deadline <= timezone.now():
        problems.append("La date limite de dépôt des candidatures est déjà passée.")
    if not call.cahier_des_charges:
        problems.append("Joignez le cahier des charges (PDF).")
    if call.targeting_mode != Call.TargetingMode.NONE and not call.targeting_kinds:
        problems.append("Précisez les territoires ciblés, ou choisissez « aucun ciblage ».")
    return problems


def submission_problems(app: Application) -> list[str]:
    problems = []
    checks = {
        "Décrivez le projet.": bool(app.description.strip()),
        "Précisez le public visé.": bool(app.target_public.strip()),
        "Indiquez le SIRET de la structure porteuse.": bool(app.carrier_siret),
        "Rattachez le projet à au moins un axe.": app.call_axes.exists(),
        "Indiquez au moins un lieu d'action (commune).": app.places.exists(),
        "Détaillez le budget (au moins un poste de dépense).": app.budget_lines.exists(),
        "Indiquez le montant demandé sur au moins une enveloppe.": app.requests.filter(amount_requested__gt=0).exists(),
        "Proposez au moins un indicateur d'impact avec sa méthode de mesure.": app.indicators.exists(),
        "Indiquez le calendrier du projet (début et fin).": bool(app.start_date and app.end_date),
    }
    problems += [message for message, ok in checks.items() if not ok]
    return problems + answers_problems(app)


def answers_problems(app: Application) -> list[str]:
    """The call's required questions not answered and required documents not given (a stored
    answer is never empty: tpj.calls.services.questions)."""
    given = app.answers.values_list("question_id", "document_id")
    answered = {q for q, _ in given if q}
    documents = {d for _, d in given if d}
    questions = CallQuestion.objects.filter(call_id=app.call_id, required=True).values_list("pk", "label")
    required_documents = RequiredDocument.objects.filter(call_id=app.call_id, required=True).values_list("pk", "label")
    return [f"Répondez à la question « {label} »." for pk, label in questions if pk not in answered] + [
        f"Joignez le document demandé « {label} »." for pk, label in required_documents if pk not in documents
    ]


def _deadline_label(call: Call) -> str:
    return timezone.localtime(call.applications_deadline).strftime("%d/%m/%Y à %H:%M:%S")


@dataclass
class Check:
    label: str
    ok: bool
    detail: str = ""
    level: str = "national"


def eligibility_checks(app: Application) -> list[Check]:
    """Automatic eligibility: the national constraints, then the call's own."""
    call = app.call
    places = list(app.places.all())
    reference = call.definition.reference
    attached = app.attached_reference_ids()
    outside = [p for p in places if p.region_id != call.region_id]
    siret_ok = True
    try:
        validate_siret(app.carrier_siret)
    except ValidationError:
        siret_ok = False
    checks = [
        Check(f"Rattachement à au moins un {reference.name}", bool(attached)),
        Check(
            f"Tous les lieux d'action sont en {call.region.name}",
            bool(places) and not outside,
            ", ".join(f"{p.name} hors région" for p in outside) or ("aucun lieu d'action" if not places else ""),
        ),
        Check(
            "Porteur doté d'un SIRET valide (convention de subvention possible)", siret_ok, app.carrier_siret or "SIRET absent"
        ),
    ]
    if call.required_axis_id:
        checks.append(
            Check(f"Axe exigé : {call.required_axis}", call.required_axis_id in app.national_axis_ids(), level="regional")
        )
    if call.targeting_mode == Call.TargetingMode.REQUIRED:
        checks.append(
            Check(
                "Ciblage géographique exigé", meets_targeting(app, places), ", ".join(call.targeting_labels()), level="regional"
            )
        )
    return checks


def meets_targeting(app: Application, places=None) -> bool:
    call = app.call
    places = places if places is not None else list(app.places.all())
    kinds = set(call.targeting_kinds)
    if kinds & set(app.targeting_kinds) - {Targeting.PLACES}:
        return True
    if Targeting.PLACES in kinds:
        communes = set(call.target_communes.values_list("insee_code", flat=True))
        departements = set(call.target_departements.values_list("code", flat=True))
        return any(p.insee_code in communes or p.departement_id in departements for p in places)
    return False


def laureates_problems(call: Call) -> list[str]:
    """What prevents the laureate list from being decided: a pending decision, else a too small endowment."""
    pending = call.applications.filter(
        state__in=[Application.State.SUBMITTED, Application.State.INFO_REQUESTED, Application.State.ELIGIBLE]
    ).count()
    if pending:
        return [f"{pending} candidature(s) attendent encore une décision (recevabilité, lauréat, liste d'attente ou refus)."]
    progress = progress_of(call)  # (a granted national derogation lowers the minimum to what it accepts)
    if progress.reached:
        return []
    if progress.accepted is not None:
        return [
            f"Les lauréats ne sont dotés que de {euros(progress.endowment)} : la dérogation nationale accordée fixe "
            f"la dotation minimale à {euros(progress.accepted)} — il manque {euros(progress.missing)}."
        ]
    kind = "un appel commun ARS-DREETS" if call.is_joint else "un appel d'une seule agence"
    return [
        f"Les lauréats ne sont dotés que de {euros(progress.endowment)} : le minimum national est de "
        f"{euros(call.minimum_endowment)} pour {kind} — il manque {euros(progress.missing)}. S'il ne peut pas être "
        "atteint, demandez une dérogation à l'équipe nationale depuis la page des décisions."
    ]


def submission_window_problems(app: Application) -> list[str]:
    """The call still receives applications (server clock, Europe/Paris). Locks the call's row, so
    that the reference numbers stamped afterwards in the same transaction follow each other."""
    call = Call.objects.select_for_update().get(pk=app.call_id)
    if call.state != Call.State.PUBLISHED:
        return ["Cet appel à projets ne reçoit plus de candidatures."]
    if call.applications_deadline and timezone.now() > call.applications_deadline:
        return [
            f"La date limite de dépôt ({_deadline_label(call)}, heure de Paris) est dépassée : la candidature ne peut plus être déposée."
        ]
    return []


def content_problems(app: Application) -> list[str]:
    """The stored content still passes the call's checks (raises the per-field ValidationError otherwise)."""
    validate_content(app.call, content_of(app))
    return []


def eligibility_problems(app: Application) -> list[str]:
    failed = [c.label for c in eligibility_checks(app) if not c.ok]
    return ["La candidature ne satisfait pas les contrôles de recevabilité :", *failed] if failed else []


def decision_period_problems(app: Application) -> list[str]:
    """Decisions are taken once applications are closed and until the laureates are decided
    (a state of the call, checked on the workflow side, not by the policy). Locks the call's
    row: the laureate list cannot be decided (nor the decisions reopened) while a decision is
    being taken, and the other way round (inside a transaction: `decide()` also asks before
    opening one, to refuse early)."""
    rows = Call.objects.filter(pk=app.call_id)
    if transaction.get_connection().in_atomic_block:
        rows = rows.select_for_update()
    if rows.values_list("state", flat=True).get() != Call.State.CLOSED:
        return ["Les décisions se prennent une fois les candidatures closes et avant l'arrêt de la liste des lauréats."]
    return []


def open_information_request_problems(app: Application) -> list[str]:
    if not app.information_requests.filter(answered_at__isnull=True).exists():
        return ["Aucune demande de complément n'attend de réponse."]
    return []


def definition_problems(call: Call) -> list[str]:
    """The call's definition (axes, criteria, calendar, envelopes) changes only while it is a draft or published."""
    if call.state not in (Call.State.DRAFT, Call.State.PUBLISHED):
        return ["La définition de l'appel ne peut plus être modifiée à ce stade."]
    return []
