"""A regional call for projects, its axes, selection criteria and envelopes.

The rule that an envelope's allocated total never exceeds its amount is also a database
constraint, so that it holds even under concurrent requests.
"""

from decimal import Decimal
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.utils import timezone

from tpj.accounts.models import Role
from tpj.core.validators import plausible_date
from tpj.nomenclatures.models import Axis, FundingSource

from .access import is_authenticated, is_national, managed_strands
from .campaigns import Campaign
from .common import ZERO, Agency, ApplicationState, CallKind, CallState, Strand, euros, money_field
from .kinds import KINDS, KindDefinition


class Targeting(models.TextChoices):
    QPV = "qpv", "Quartier prioritaire de la politique de la ville (QPV)"
    ZRR = "zrr", "Zone de revitalisation rurale (ZRR)"
    CITE_EDUCATIVE = "cite_educative", "Cité éducative"
    PVD = "pvd", "Petites Villes de Demain"
    ACV = "acv", "Action Cœur de Ville"
    FRANCE_SERVICES = "france_services", "France Services"
    PLACES = "places", "Communes ou départements choisis"


class CallQuerySet(models.QuerySet):
    def public(self):
        return self.exclude(state=CallState.DRAFT)

    def managed_by(self, user):
        """Calls the user manages (the same rule as `Call.is_managed_by`), kind by kind: for a
        1000-jours call, a call manager of the call's région whose agency takes part in the call;
        for a territorial training call, the région's commissaire or the national team; an
        administrator manages every call."""
        if not is_authenticated(user):
            return self.none()
        if user.is_administrator:
            return self.all()
        managed = Q(pk__in=[])
        for kind, definition in KINDS.items():
            if definition.national_team_manages and user.is_national_team:
                managed |= Q(kind=kind)
                continue
            scope = user.scope(definition.manager_role)
            if scope.is_empty:
                continue
            part = Q(kind=kind)
            if definition.agency_bound:
                part &= Q(strand__in=managed_strands(user))
            if not scope.national:
                part &= Q(region__in=scope.regions)
            managed |= part
        return self.filter(managed)

    def visible_to(self, user):
        """Published calls for everyone; drafts within the manager's région (or nationally), and
        the drafts of the calls the user manages."""
        if is_national(user):
            return self.all()
        if not is_authenticated(user):
            return self.public()
        scope = user.scope(Role.CALL_MANAGER)
        if scope.national:
            return self
        managed = Call.objects.managed_by(user).values("pk")
        return self.filter(~Q(state=CallState.DRAFT) | Q(region__in=scope.regions) | Q(pk__in=managed))


class Call(models.Model):
    Strand = Strand
    State = CallState
    Kind = CallKind

    class TargetingMode(models.TextChoices):
        NONE = "none", "Aucun ciblage géographique"
        VALUED = "valued", "Ciblage valorisé lors de l'instruction"
        REQUIRED = "required", "Ciblage exigé de chaque projet"

    TITLE_ENDINGS = {
        Strand.ARS: "initiatives en faveur de la santé du jeune enfant",
        Strand.DREETS: "initiatives en faveur de l'accompagnement des parents",
        Strand.JOINT: "initiatives en faveur de la santé du jeune enfant et de l'accompagnement des parents",
    }
    # The envelopes' agencies of each strand, whatever its kind.
    AGENCIES = {strand: agencies for definition in KINDS.values() for strand, agencies in definition.agencies.items()}

    campaign = models.ForeignKey(Campaign, verbose_name="campagne", on_delete=models.PROTECT, related_name="calls")
    region = models.ForeignKey("territories.Region", verbose_name="région", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("type d'appel", max_length=30, choices=CallKind.choices, default=CallKind.MILLE_JOURS, editable=False)
    strand = models.CharField("volet", max_length=12, choices=Strand.choices)
    title = models.CharField("intitulé officiel", max_length=255, editable=False)
    state = models.CharField("état", max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    summary = models.TextField("présentation", blank=True)
    required_axis = models.ForeignKey(
        "nomenclatures.Axis",
        verbose_name="axe exigé de chaque projet (prérequis transversal)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    targeting_mode = models.CharField(
        "ciblage géographique", max_length=10, choices=TargetingMode.choices, default=TargetingMode.NONE
    )
    targeting_kinds = models.JSONField("territoires ciblés", default=list, blank=True)
    target_departements = models.ManyToManyField(
        "territories.Departement", verbose_name="départements ciblés", blank=True, related_name="+"
    )
    target_communes = models.ManyToManyField("territories.Commune", verbose_name="communes ciblées", blank=True, related_name="+")
    # Dates a manager sets: between 2000 and ten years ahead (tpj.core.validators.plausible_date).
    publication_date = models.DateField("date de publication", null=True, blank=True, validators=[plausible_date])
    applications_deadline = models.DateTimeField(
        "date limite de dépôt des candidatures (heure de Paris)", null=True, blank=True, validators=[plausible_date]
    )
    jury_date = models.DateField("date du jury", null=True, blank=True, validators=[plausible_date])
    laureates_date = models.DateField("date de désignation des lauréats", null=True, blank=True, validators=[plausible_date])
    projects_start_date = models.DateField("date de démarrage des projets", null=True, blank=True, validators=[plausible_date])
    cahier_des_charges = models.FileField("cahier des charges (PDF)", upload_to="calls/cahiers/", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField("publié le", null=True, blank=True)
    laureates_decided_at = models.DateTimeField("lauréats désignés le", null=True, blank=True)
    transmitted_at = models.DateTimeField("liste transmise le", null=True, blank=True)
    transmitted_late = models.BooleanField("transmise en retard", default=False)

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = "appel à projets"
        verbose_name_plural = "appels à projets"
        ordering = ["-campaign__year", "region__name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "region", "strand"], name="one_call_per_strand_region_year"),
            # Each kind runs only its own strands (models/kinds.py).
            models.CheckConstraint(
                name="call_strand_of_its_kind",
                condition=reduce(or_, (Q(kind=kind, strand__in=list(d.strands)) for kind, d in KINDS.items())),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.title = self.official_title()
        super().save(*args, **kwargs)

    def official_title(self) -> str:
        region = self.region.name if self.region_id else "[région]"
        return self.definition.title.format(region=region, ending=self.TITLE_ENDINGS.get(self.strand, ""))

    @property
    def definition(self) -> KindDefinition:
        """The rules of the call's kind (models/kinds.py)."""
        return KINDS[self.kind]

    def application_reference(self, number: int) -> str:
        """The reference of the call's `number`-th submitted application: « AAP2026-53-0001 » for a
        joint or territorial call (one per région and year of its kind), with the strand for an
        agency's own call (« AAP2026-53-ARS-0001 »), since an ARS and a DREETS call of one région
        and year would otherwise number the same dossiers alike."""
        strand = "" if self.strand in (Strand.JOINT, Strand.TERRITORIAL) else f"{self.strand.upper()}-"
        return f"{self.definition.reference_prefix}{self.campaign.year}-{self.region_id}-{strand}{number:04d}"

    def is_managed_by(self, user) -> bool:
        """Who manages a call of this kind, within its région (models/kinds.py): a call manager
        whose agency takes part in a 1000-jours call; the commissaire (or the national team) for a
        territorial training call; an administrator, every call."""
        if not is_authenticated(user):
            return False
        if user.is_administrator:
            return True
        definition = self.definition
        if definition.national_team_manages and user.is_national_team:
            return True
        if not user.scope(definition.manager_role).covers_region_wholly(self.region_id):
            return False
        return not definition.agency_bound or self.strand in managed_strands(user)

    @property
    def agencies(self) -> list[str]:
        return self.AGENCIES[self.strand]

    @property
    def is_joint(self) -> bool:
        return self.strand == self.Strand.JOINT

    @property
    def minimum_endowment(self) -> Decimal:
        """The national minimum of the laureates' endowment; none for a kind without one."""
        return self.campaign.minimum_for(self.strand) if self.definition.national_minimum else ZERO

    @property
    def applications_open(self) -> bool:
        return self.state == self.State.PUBLISHED and (
            self.applications_deadline is None or timezone.now() <= self.applications_deadline
        )

    def national_axes(self):
        return Axis.objects.filter(call_axes__call=self).distinct()

    @property
    def kind_badge(self) -> str:
        return self.definition.badge

    def targeting_labels(self) -> list[str]:
        labels = dict(Targeting.choices)
        return [labels.get(k, k) for k in self.targeting_kinds]

    def calendar_warnings(self) -> list[str]:
        """What in the calendar cannot meet the national deadlines (warnings, never blocks)."""
        c = self.campaign
        warnings = []
        deadline = timezone.localtime(self.applications_deadline).date() if self.applications_deadline else None
        if not deadline:
            warnings.append("La date limite de dépôt des candidatures n'est pas fixée.")
        if self.publication_date and deadline and deadline <= self.publication_date:
            warnings.append("La date limite de dépôt précède la publication.")
        if not self.definition.national_calendar:
            if self.jury_date and deadline and self.jury_date < deadline:
                warnings.append("Le jury est prévu avant la clôture des candidatures.")
            return warnings
        if deadline and deadline >= c.laureates_deadline:
            warnings.append(
                f"La date limite de dépôt ne laisse pas le temps d'instruire avant l'échéance nationale des lauréats ({c.laureates_deadline:%d/%m/%Y})."
            )
        if self.jury_date and deadline and self.jury_date < deadline:
            warnings.append("Le jury est prévu avant la clôture des candidatures.")
        if self.laureates_date and self.laureates_date > c.laureates_deadline:
            warnings.append(f"Les lauréats seraient désignés après l'échéance nationale du {c.laureates_deadline:%d/%m/%Y}.")
        if not self.laureates_date:
            warnings.append("La date de désignation des lauréats n'est pas fixée.")
        if self.projects_start_date and self.projects_start_date > c.projects_start_deadline:
            warnings.append(
                f"Les projets démarreraient après l'échéance nationale du {c.projects_start_deadline:%d/%m/%Y} (début de l'automne)."
            )
        return warnings

    def state_endowment(self) -> Decimal:
        """Total State endowment (all envelopes) of the call's laureates."""
        laureates = self.applications.filter(state=ApplicationState.LAUREATE)
        return laureates.aggregate(total=Sum("requests__amount_allocated"))["total"] or ZERO


class CallAxis(models.Model):
    """An axis retained by a call: a national axis, or a regional reformulation attached to ≥ 1 national axis."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="axes")
    label = models.CharField("libellé", max_length=400)
    national_axes = models.ManyToManyField(
        "nomenclatures.Axis", verbose_name="axes nationaux de rattachement", related_name="call_axes"
    )
    # A territorial training call's axes attach to the training themes instead (models/kinds.py).
    training_themes = models.ManyToManyField(
        "nomenclatures.TrainingTheme", verbose_name="thèmes de formation de rattachement", blank=True, related_name="call_axes"
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "axe retenu"
        verbose_name_plural = "axes retenus"
        ordering = ["position", "id"]

    def __str__(self):
        return self.label

    def attachment_labels(self) -> list[str]:
        """What the axis attaches to, as its call's page says it (« axe national 2 », « thème « Le langage » »)."""
        reference = self.call.definition.reference
        return [reference.item_label(item) for item in getattr(self, reference.field).all()]


class Criterion(models.Model):
    """A weighted selection criterion; each juror scores it from 0 to `max_score`, or « sans objet »."""

    DEFAULTS = [
        ("Fort potentiel : l'apport de crédits supplémentaires renforce l'ambition du projet (périmètre de mise en œuvre…)", 2),
        ("Qualité de la description des indicateurs d'impact proposés pour l'évaluation", 2),
        ("Réponse aux besoins du territoire et aux enjeux des 1000 premiers jours", 1),
        ("Qualité du partenariat", 1),
    ]

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    label = models.CharField("critère", max_length=300)
    weight = models.PositiveSmallIntegerField("pondération", default=1)
    max_score = models.PositiveSmallIntegerField("note maximale", default=5)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "critère de sélection"
        verbose_name_plural = "critères de sélection"
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(name="criterion_weight_positive", condition=Q(weight__gte=1)),
            models.CheckConstraint(name="criterion_max_score_range", condition=Q(max_score__gte=1, max_score__lte=20)),
        ]

    def __str__(self):
        return self.label


class Envelope(models.Model):
    """One participating agency's money for one call: national dotation + local top-up.

    `allocated` is the locked re-sum of the allocations charged to it; the CHECK
    constraint makes over-allocation impossible even if a service were bypassed.

    The national dotation exists once per agency (région + agency) and campaign, however
    the agency's calls are arranged: `campaign` and `region` repeat the call's (set on save)
    so that the unique constraint `one_dotation_per_agency_and_campaign` holds it. An agency
    already taking part in a call of the campaign (its own strand or the joint call) cannot
    take part in another: its dotation would be counted, and spent, twice.
    """

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="envelopes")
    campaign = models.ForeignKey(Campaign, verbose_name="campagne", on_delete=models.PROTECT, related_name="+", editable=False)
    region = models.ForeignKey(
        "territories.Region", verbose_name="région", on_delete=models.PROTECT, related_name="+", editable=False
    )
    agency = models.CharField("agence", max_length=10, choices=Agency.choices)
    funding_source = models.ForeignKey(FundingSource, verbose_name="crédits", on_delete=models.PROTECT, related_name="+")
    national_dotation = money_field("dotation nationale (€)")
    local_top_up = money_field("abondement local (€)")
    allocated = money_field("montant attribué (€)")

    class Meta:
        verbose_name = "enveloppe"
        ordering = ["agency"]
        constraints = [
            models.UniqueConstraint(fields=["call", "agency"], name="one_envelope_per_agency"),
            models.UniqueConstraint(
                fields=["campaign", "region", "agency"],
                name="one_dotation_per_agency_and_campaign",
                violation_error_message="Cette agence a déjà sa dotation nationale pour cette campagne.",
            ),
            models.CheckConstraint(
                name="envelope_amounts_positive", condition=Q(national_dotation__gte=0, local_top_up__gte=0, allocated__gte=0)
            ),
            models.CheckConstraint(
                name="envelope_not_over_allocated",
                condition=Q(allocated__lte=models.F("national_dotation") + models.F("local_top_up")),
                violation_error_message="L'enveloppe serait dépassée.",
            ),
        ]

    def __str__(self):
        return f"Enveloppe {self.agency} — {euros(self.total)}"

    def save(self, *args, **kwargs):
        if self.call_id and not (self.campaign_id and self.region_id):
            self.campaign_id, self.region_id = Call.objects.filter(pk=self.call_id).values_list("campaign_id", "region_id").get()
        super().save(*args, **kwargs)

    @property
    def total(self) -> Decimal:
        return (self.national_dotation or ZERO) + (self.local_top_up or ZERO)

    @property
    def remaining(self) -> Decimal:
        return self.total - self.allocated
