"""National campaigns and the agencies' declarations of intent."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tpj.audit.services import record
from tpj.core import policy
from tpj.core.errors import Conflict
from tpj.territories.models import Region

from ..models import (
    Campaign,
    IntentDeclaration,
    agency_of,
)


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


def declare_intent(user, campaign: Campaign, *, joint: bool, referent_name: str, referent_email: str) -> IntentDeclaration:
    """An ARS or DREETS declares it will run a call this campaign, naming its referent."""
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
    status: str  # "on_time" | "late" | "missing" | "pending"

    @property
    def status_label(self) -> str:
        return {"on_time": "Déclarée", "late": "Déclarée en retard", "missing": "Non déclarée", "pending": "Pas encore déclarée"}[
            self.status
        ]


def declaration_board(campaign: Campaign) -> list[DeclarationRow]:
    """Every (région, agency) pair of the country: declared on time, late, or not (yet)."""
    by_key = {(d.region_id, d.agency): d for d in campaign.declarations.select_related("organisation")}
    past_deadline = timezone.localdate() > campaign.intent_deadline
    rows = []
    for region in Region.objects.order_by("name"):
        for agency in ("ARS", "DREETS"):
            d = by_key.get((region.code, agency))
            status = ("late" if d.is_late else "on_time") if d else ("missing" if past_deadline else "pending")
            rows.append(DeclarationRow(region, agency, d, status))
    return rows
