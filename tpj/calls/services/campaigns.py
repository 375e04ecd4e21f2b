"""National campaigns and the agencies' declarations of intent."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tpj.audit.services import record
from tpj.core import policy
from tpj.core.errors import Conflict
from tpj.notifications.services import notify
from tpj.territories.models import Region

from ..models import (
    Campaign,
    Envelope,
    IntentDeclaration,
    agency_of,
)
from ..notification_kinds import INTENT_DECLARED
from ..recipients import campaign_board_url, national_team


def save_campaign(campaign: Campaign, user) -> Campaign:
    """Create or update a national campaign (national team), audited with its values."""
    policy.require(user, "calls.manage_campaign")
    campaign.full_clean()
    created = campaign.pk is None
    try:
        with transaction.atomic():
            if not created:
                # waits for a call being created in this campaign (it locks the row): closing the
                # campaign then applies to every call that comes after
                Campaign.objects.select_for_update().values_list("pk", flat=True).get(pk=campaign.pk)
            campaign.save()
    except IntegrityError:
        raise Conflict({"year": f"La campagne {campaign.year} vient d'être créée par ailleurs : rechargez la page."}) from None
    record(
        actor=user,
        obj=campaign,
        action="calls.campaign.created" if created else "calls.campaign.updated",
        after={f: str(getattr(campaign, f)) for f in Campaign.SETTINGS_FIELDS},
    )
    return campaign


def current_campaign() -> Campaign | None:
    year = timezone.localdate().year
    return Campaign.objects.filter(year=year).first() or Campaign.objects.order_by("-year").first()


def open_campaigns():
    """The campaigns that still take declarations of intent and new calls, oldest first."""
    return Campaign.objects.filter(state=Campaign.State.OPEN).order_by("year")


def nearest_open_campaign() -> Campaign | None:
    """The open campaign an agency most likely works on: the first whose laureate lists are not
    yet due (transmission deadline today or later), else the newest open one."""
    campaigns = list(open_campaigns())
    today = timezone.localdate()
    return next((c for c in campaigns if c.transmission_deadline >= today), campaigns[-1] if campaigns else None)


def agency_declarations(organisation):
    """The declarations of intent of an agency (its région, ARS or DREETS), newest campaign first."""
    return (
        IntentDeclaration.objects.filter(region_id=organisation.region_id, agency=agency_of(organisation))
        .select_related("campaign")
        .order_by("-campaign__year")
    )


def undeclared_open_campaigns(organisation):
    """The open campaigns this agency has not declared for yet, oldest first."""
    return open_campaigns().exclude(pk__in=agency_declarations(organisation).values("campaign"))


def call_declaration(campaign: Campaign, region_id: str, agencies) -> IntentDeclaration | None:
    """The declaration of intent that a call of `agencies` in `region_id` rests on, if any.

    A single agency's call needs that agency's declaration; a joint call needs one of the two
    agencies' (the one that pilots it declares for both)."""
    return (
        IntentDeclaration.objects.filter(campaign=campaign, region_id=region_id, agency__in=agencies)
        .order_by("declared_at")
        .first()
    )


def missing_declaration_message(campaign: Campaign, today=None) -> str:
    """Why a call cannot be created yet, and what to do (French)."""
    today = today or timezone.localdate()
    late = (
        f" L'échéance du {campaign.intent_deadline:%d/%m/%Y} est passée : votre déclaration sera acceptée, "
        "enregistrée en retard et signalée à l'équipe nationale."
        if today > campaign.intent_deadline
        else ""
    )
    return (
        f"Votre agence n'a pas déclaré son intention de lancer un appel pour la campagne {campaign.year} : "
        f"faites-le d'abord depuis la page « Déclaration d'intention », puis créez l'appel.{late}"
    )


def declare_intent(user, campaign: Campaign, *, joint: bool, referent_name: str, referent_email: str) -> IntentDeclaration:
    """An ARS or DREETS declares it will run a call this campaign, naming its referent.

    The national team is told in the declaration's transaction ("calls.intent_declared")."""
    policy.require(user, "calls.declare_intent")
    org = user.organisation
    agency = agency_of(org)
    already = f"{org} a déjà déclaré son intention pour la campagne {campaign.year}."
    if not campaign.accepts_calls:
        raise ValidationError(campaign.closed_message())
    if IntentDeclaration.objects.filter(campaign=campaign, region_id=org.region_id, agency=agency).exists():
        raise Conflict(already)
    declaration = IntentDeclaration(
        campaign=campaign,
        region_id=org.region_id,
        agency=agency,
        organisation=org,
        joint=joint,
        referent_name=referent_name.strip(),
        referent_email=referent_email.strip(),
        declared_by=user,
    )
    declaration.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            declaration.save()
            late = " (après l'échéance nationale)" if declaration.is_late else ""
            jointly = "Appel commun avec l'autre agence de la région. " if joint else ""
            notify(
                INTENT_DECLARED,
                national_team(),
                target=declaration,
                title=f"{org} déclare son intention de lancer un appel à projets{late} — campagne {campaign.year}",
                body=f"{jointly}Référent : {declaration.referent_name} ({declaration.referent_email}).",
                url=campaign_board_url(declaration),
                may_see="calls.view_national",
                actor=user,
            )
    except IntegrityError:
        # a simultaneous declaration won the race: `one_declaration_per_agency`
        raise Conflict(already) from None
    record(
        actor=user,
        obj=declaration,
        action="calls.intent.declared",
        after={"joint": joint, "referent": referent_name, "late": declaration.is_late},
    )
    return declaration


@dataclass
class DeclarationRow:
    region: object
    agency: str
    declaration: IntentDeclaration | None
    status: str  # "on_time" | "late" | "missing" | "pending" | "call_undeclared"

    LABELS = {
        "on_time": "Déclarée",
        "late": "Déclarée en retard",
        "missing": "Non déclarée",
        "pending": "Pas encore déclarée",
        "call_undeclared": "Appel lancé sans déclaration",
    }

    @property
    def status_label(self) -> str:
        return self.LABELS[self.status]


def declaration_board(campaign: Campaign) -> list[DeclarationRow]:
    """Every (région, agency) pair of the country: declared on time, late, or not (yet).

    An agency taking part in a call without any declaration of its région for that call (a call
    created before declarations were required) is shown as such, never as merely missing."""
    by_key = {(d.region_id, d.agency): d for d in campaign.declarations.select_related("organisation")}
    in_calls = set(Envelope.objects.filter(campaign=campaign).values_list("region_id", "agency"))
    past_deadline = timezone.localdate() > campaign.intent_deadline
    rows = []
    for region in Region.objects.order_by("name"):
        for agency in ("ARS", "DREETS"):
            d = by_key.get((region.code, agency))
            if d:
                status = "late" if d.is_late else "on_time"
            elif (region.code, agency) in in_calls and not any(by_key.get((region.code, a)) for a in ("ARS", "DREETS")):
                status = "call_undeclared"
            else:
                status = "missing" if past_deadline else "pending"
            rows.append(DeclarationRow(region, agency, d, status))
    return rows
