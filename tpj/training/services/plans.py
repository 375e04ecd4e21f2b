"""A team's training plans (journey 4): a person saves offers (and, when chosen, one of their
sessions) to a named plan, notes who should go, and exports the plan.

A plan is its owner's alone: every function refuses another person's plan. Each change is
audited (the plan's name and the offer, never the notes, which are the team's own).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from tpj.audit.services import record
from tpj.core import policy
from tpj.core.text import clean

from ..models import Offer, PlanItem, Session, TrainingPlan
from .reports import plain

NAME_MAX = TrainingPlan._meta.get_field("name").max_length
TEXT_MAX = 2000
MAX_PLANS = 50  # per person
MAX_ITEMS = 200  # per plan

NOT_YOURS = "Ce plan de formation n'est pas le vôtre."


def _require_owner(user, plan: TrainingPlan) -> None:
    policy.require(user, "training.plans")
    if plan.owner_id != user.pk:
        raise policy.PermissionDenied(NOT_YOURS)


def clean_name(name) -> str:
    name = clean(str(name or ""), multiline=False).strip()
    if not name:
        raise ValidationError("Donnez un nom au plan, par exemple « Équipe de la crèche — 2027 ».")
    if len(name) > NAME_MAX:
        raise ValidationError(f"Le nom du plan ne peut pas dépasser {NAME_MAX} caractères (il en compte {len(name)}).")
    return name


def _clean_text(text, label: str) -> str:
    text = clean(str(text or "")).strip()
    if len(text) > TEXT_MAX:
        raise ValidationError(f"« {label} » ne peut pas dépasser {TEXT_MAX} caractères (il en compte {len(text)}).")
    return text


@transaction.atomic
def create_plan(user, name) -> TrainingPlan:
    policy.require(user, "training.plans")
    name = clean_name(name)
    if TrainingPlan.objects.owned_by(user).count() >= MAX_PLANS:
        raise ValidationError(f"Vous avez déjà {MAX_PLANS} plans de formation : supprimez-en un avant d'en créer un autre.")
    plan = TrainingPlan.objects.create(owner=user, name=name)
    record(actor=user, obj=plan, action="training.plan.create")
    return plan


@transaction.atomic
def rename_plan(user, plan: TrainingPlan, name) -> TrainingPlan:
    _require_owner(user, plan)
    name = clean_name(name)
    before = plan.name
    plan.name = name
    plan.save(update_fields=["name", "updated_at"])
    record(actor=user, obj=plan, action="training.plan.rename", before={"nom": before}, after={"nom": name})
    return plan


PLAN_GONE = "Ce plan de formation vient d'être supprimé."


@transaction.atomic
def delete_plan(user, plan: TrainingPlan) -> None:
    _require_owner(user, plan)
    if TrainingPlan.objects.select_for_update().filter(pk=plan.pk).first() is None:  # deleted meanwhile: recorded once
        raise ValidationError(PLAN_GONE)
    record(actor=user, obj=plan, action="training.plan.delete", before={"nom": plan.name, "offres": plan.items.count()})
    plan.delete()


def _check_session(offer: Offer, session: Session | None) -> None:
    if session is not None and session.offer_id != offer.pk:
        raise ValidationError("Cette session n'appartient pas à cette offre : choisissez l'une de ses sessions.")


def add_offer(user, plan: TrainingPlan, offer: Offer, session: Session | None = None) -> tuple[PlanItem, bool]:
    """Add `offer` (and the chosen `session`, if any) to `plan`; an offer already in the plan
    is not added twice (its session is updated when one is chosen). Returns (item, created)."""
    _require_owner(user, plan)
    if not Offer.objects.visible_to(user).filter(pk=offer.pk).exists():
        raise ValidationError("Cette offre n'est pas publiée : elle ne peut pas être ajoutée à un plan.")
    _check_session(offer, session)
    with transaction.atomic():
        # Two additions at once wait for each other here (PostgreSQL); SQLite writes one at a time.
        TrainingPlan.objects.select_for_update().filter(pk=plan.pk).first()
        item = PlanItem.objects.filter(plan=plan, offer=offer).first()
        if item is None:
            if plan.items.count() >= MAX_ITEMS:
                raise ValidationError(f"Ce plan compte déjà {MAX_ITEMS} offres : créez un autre plan.")
            try:
                with transaction.atomic():
                    item = PlanItem.objects.create(plan=plan, offer=offer, session=session)
            except IntegrityError:  # added at the same time by another request
                item = PlanItem.objects.get(plan=plan, offer=offer)
            else:
                plan.save(update_fields=["updated_at"])
                record(actor=user, obj=plan, action="training.plan.add", after={"offre": offer.title})
                return item, True
        if session is not None and item.session_id != session.pk:
            item.session = session
            item.save(update_fields=["session"])
            record(actor=user, obj=plan, action="training.plan.update_item", after={"offre": offer.title})
        return item, False


@transaction.atomic
def update_item(user, item: PlanItem, *, attendees="", note="", session: Session | None = None) -> PlanItem:
    """Save who should go, the note and the chosen session (None: the next one) of a plan's offer."""
    _require_owner(user, item.plan)
    _check_session(item.offer, session)
    item.attendees = _clean_text(attendees, "Qui doit y aller")
    item.note = _clean_text(note, "Note")
    item.session = session
    item.save(update_fields=["attendees", "note", "session"])
    item.plan.save(update_fields=["updated_at"])
    record(actor=user, obj=item.plan, action="training.plan.update_item", after={"offre": item.offer.title})
    return item


@transaction.atomic
def remove_item(user, item: PlanItem) -> None:
    _require_owner(user, item.plan)
    title = item.offer.title
    if TrainingPlan.objects.select_for_update().filter(pk=item.plan_id).first() is None or not item.delete()[0]:
        raise ValidationError("Cette offre vient d'être retirée du plan.")  # by another request: recorded once
    item.plan.save(update_fields=["updated_at"])
    record(actor=user, obj=item.plan, action="training.plan.remove", before={"offre": title})


# -- Reading a plan ----------------------------------------------------------------------------


def upcoming_sessions(offer: Offer):
    """The offer's sessions not yet ended, by date: those a plan may aim at."""
    return offer.sessions.filter(end_date__gte=timezone.localdate()).select_related("commune").order_by("start_date", "id")


def plan_items(plan: TrainingPlan, today=None) -> list[PlanItem]:
    """The plan's offers, each with `target` (its chosen session, or else its next one, or None),
    `session_chosen` and `upcoming` (the sessions not yet ended, to choose from)."""
    today = today or timezone.localdate()
    items = list(
        plan.items.select_related("offer__organisation", "session__commune").prefetch_related(
            "offer__themes",
            Prefetch(
                "offer__sessions",
                queryset=Session.objects.filter(end_date__gte=today).select_related("commune").order_by("start_date", "id"),
                to_attr="upcoming",
            ),
        )
    )
    for item in items:
        item.upcoming = item.offer.upcoming
        item.session_chosen = item.session_id is not None
        item.target = item.session if item.session_chosen else next(iter(item.upcoming), None)
    return items


def session_dates(session: Session | None) -> str:
    if session is None:
        return ""
    if session.start_date == session.end_date:
        return f"le {session.start_date:%d/%m/%Y}"
    return f"du {session.start_date:%d/%m/%Y} au {session.end_date:%d/%m/%Y}"


EXPORT_HEADER = [
    "Offre",
    "Organisme",
    "Thèmes",
    "Session",
    "Commune",
    "Dates",
    "Durée (heures)",
    "Prix (euros)",
    "Qui doit y aller",
    "Note",
    "Lien d'inscription",
]


def export_rows(plan: TrainingPlan, today=None):
    """One row per offer of the plan, in the order of EXPORT_HEADER (numbers stay numbers)."""
    for item in plan_items(plan, today):
        offer, session = item.offer, item.target
        which = "Session choisie" if item.session_chosen else "Prochaine session"
        if session is None:
            which = "Aucune session à venir"
        yield [
            offer.title,
            offer.organisation.name,
            ", ".join(theme.label for theme in offer.themes.all()),
            which,
            session.place_label if session else "",
            session_dates(session),
            plain(offer.duration_hours),
            None if offer.price_cents is None else plain(Decimal(offer.price_cents) / 100),
            item.attendees,
            item.note,
            offer.registration_url,
        ]
