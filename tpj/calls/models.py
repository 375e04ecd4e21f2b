"""Module 2 — regional calls for projects ("appels à projets 1000 premiers jours").

Money is stored as Decimal euros with two decimals (never float). The rules that must hold
even under concurrent requests are also written as database constraints: an envelope's
allocated total never exceeds its amount, an allocation never exceeds what was requested.
"""

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Sum
from django.utils import timezone

from tpj.nomenclatures.models import FundingSource

ZERO = Decimal("0.00")
NNBSP = "\u202f"  # narrow no-break space, the French thousands separator


def euros(value) -> str:
    """French display of an amount: « 100 000,00 € »."""
    value = Decimal(value or 0).quantize(Decimal("0.01"))
    whole, _, cents = f"{value:.2f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{NNBSP.join(groups)},{cents}{NNBSP}€"


def money_field(label, **kwargs):
    return models.DecimalField(label, max_digits=12, decimal_places=2, default=ZERO, **kwargs)


class Agency(models.TextChoices):
    ARS = "ARS", "ARS"
    DREETS = "DREETS", "DREETS"


AGENCY_OF_KIND = {"ars": Agency.ARS, "dreets": Agency.DREETS}


def agency_of(organisation) -> str | None:
    """The agency (ARS / DREETS) an organisation is, if it is one."""
    return AGENCY_OF_KIND.get(getattr(organisation, "kind", None))


# ---------------------------------------------------------------------------
# Campaign and declarations of intent
# ---------------------------------------------------------------------------


class Campaign(models.Model):
    """A national campaign (one a year): deadlines, dotation and minimum endowments."""

    year = models.PositiveSmallIntegerField("année", unique=True)
    intent_deadline = models.DateField("date limite de déclaration d'intention")
    laureates_deadline = models.DateField("date limite de désignation des lauréats")
    transmission_deadline = models.DateField("date limite de transmission de la liste des lauréats")
    projects_start_deadline = models.DateField("date limite de démarrage des projets")
    national_dotation = money_field("dotation nationale par agence (€)")
    minimum_single = money_field("dotation minimale des lauréats, appel d'une seule agence (€)")
    minimum_joint = money_field("dotation minimale des lauréats, appel commun ARS-DREETS (€)")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "campagne nationale"
        verbose_name_plural = "campagnes nationales"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                name="campaign_amounts_positive",
                condition=Q(national_dotation__gte=0, minimum_single__gte=0, minimum_joint__gte=0),
            ),
        ]

    def __str__(self):
        return f"Campagne {self.year}"

    # The 2021 instruction (SGMCAS/2021/74, annex): 17 May for the declaration of intent,
    # laureates "au plus tard en août", list "début septembre", projects "au plus tard au
    # début de l'automne". Other years take the same days of the year.
    DEFAULTS_2021 = {
        "intent_deadline": (5, 17),
        "laureates_deadline": (8, 31),
        "transmission_deadline": (9, 10),
        "projects_start_deadline": (10, 15),
    }
    DEFAULT_AMOUNTS = {
        "national_dotation": Decimal("100000.00"),
        "minimum_single": Decimal("100000.00"),
        "minimum_joint": Decimal("200000.00"),
    }

    @classmethod
    def defaults_for(cls, year: int) -> dict:
        values = {name: datetime.date(year, m, d) for name, (m, d) in cls.DEFAULTS_2021.items()}
        return {**values, **cls.DEFAULT_AMOUNTS}

    def clean(self):
        order = [self.intent_deadline, self.laureates_deadline, self.transmission_deadline, self.projects_start_deadline]
        if all(order) and order != sorted(order):
            raise ValidationError("Les échéances nationales doivent se suivre : déclaration, lauréats, transmission, démarrage.")
        if self.minimum_joint is not None and self.minimum_single is not None and self.minimum_joint < self.minimum_single:
            raise ValidationError(
                {"minimum_joint": "Le minimum d'un appel commun ne peut être inférieur à celui d'un appel d'une seule agence."}
            )

    def minimum_for(self, strand: str) -> Decimal:
        return self.minimum_joint if strand == Call.Strand.JOINT else self.minimum_single


class IntentDeclaration(models.Model):
    """An agency's declaration that it will run a call (informs DGCS and SGMCAS)."""

    campaign = models.ForeignKey(Campaign, verbose_name="campagne", on_delete=models.PROTECT, related_name="declarations")
    region = models.ForeignKey("territories.Region", verbose_name="région", on_delete=models.PROTECT, related_name="+")
    agency = models.CharField("agence", max_length=10, choices=Agency.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name="agence déclarante", on_delete=models.PROTECT, related_name="+"
    )
    joint = models.BooleanField("appel commun avec l'autre agence de la région", default=False)
    referent_name = models.CharField("référent qui pilote l'appel", max_length=200)
    referent_email = models.EmailField("courriel du référent")
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField("déclarée le", default=timezone.now)

    class Meta:
        verbose_name = "déclaration d'intention"
        verbose_name_plural = "déclarations d'intention"
        ordering = ["region__name", "agency"]
        constraints = [models.UniqueConstraint(fields=["campaign", "region", "agency"], name="one_declaration_per_agency")]

    def __str__(self):
        return f"{self.agency} {self.region} — {self.campaign.year}"

    @property
    def is_late(self) -> bool:
        return timezone.localdate(self.declared_at) > self.campaign.intent_deadline


# ---------------------------------------------------------------------------
# Calls
# ---------------------------------------------------------------------------


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
        return self.exclude(state=Call.State.DRAFT)


class Call(models.Model):
    class Strand(models.TextChoices):
        ARS = "ars", "ARS — volet « santé » (FIR)"
        DREETS = "dreets", "DREETS — volet « social » (programme 304 action 17)"
        JOINT = "joint", "Appel commun ARS-DREETS"

    class State(models.TextChoices):
        DRAFT = "draft", "Brouillon"
        PUBLISHED = "published", "Publié — candidatures ouvertes"
        CLOSED = "closed", "Candidatures closes — instruction et jury"
        LAUREATES_DECIDED = "laureates_decided", "Lauréats désignés"
        TRANSMITTED = "transmitted", "Liste des lauréats transmise"

    class TargetingMode(models.TextChoices):
        NONE = "none", "Aucun ciblage géographique"
        VALUED = "valued", "Ciblage valorisé lors de l'instruction"
        REQUIRED = "required", "Ciblage exigé de chaque projet"

    TITLE_ENDINGS = {
        Strand.ARS: "initiatives en faveur de la santé du jeune enfant",
        Strand.DREETS: "initiatives en faveur de l'accompagnement des parents",
        Strand.JOINT: "initiatives en faveur de la santé du jeune enfant et de l'accompagnement des parents",
    }
    AGENCIES = {Strand.ARS: [Agency.ARS], Strand.DREETS: [Agency.DREETS], Strand.JOINT: [Agency.ARS, Agency.DREETS]}

    campaign = models.ForeignKey(Campaign, verbose_name="campagne", on_delete=models.PROTECT, related_name="calls")
    region = models.ForeignKey("territories.Region", verbose_name="région", on_delete=models.PROTECT, related_name="+")
    strand = models.CharField("volet", max_length=10, choices=Strand.choices)
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
    publication_date = models.DateField("date de publication", null=True, blank=True)
    applications_deadline = models.DateTimeField("date limite de dépôt des candidatures (heure de Paris)", null=True, blank=True)
    jury_date = models.DateField("date du jury", null=True, blank=True)
    laureates_date = models.DateField("date de désignation des lauréats", null=True, blank=True)
    projects_start_date = models.DateField("date de démarrage des projets", null=True, blank=True)
    cahier_des_charges = models.FileField("cahier des charges (PDF)", upload_to="calls/cahiers/", blank=True)
    checklist = models.TextField(
        "liste de vérification de l'instruction (un point par ligne)",
        blank=True,
        default="Dossier complet\nBudget équilibré et cohérent\nPartenariats attestés\nIndicateurs d'impact mesurables",
    )
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
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.title = self.official_title()
        super().save(*args, **kwargs)

    def official_title(self) -> str:
        region = self.region.name if self.region_id else "[région]"
        return f"1000 premiers jours en {region} : {self.TITLE_ENDINGS[self.strand]}"

    @property
    def agencies(self) -> list[str]:
        return self.AGENCIES[self.strand]

    @property
    def is_joint(self) -> bool:
        return self.strand == self.Strand.JOINT

    @property
    def minimum_endowment(self) -> Decimal:
        return self.campaign.minimum_for(self.strand)

    @property
    def applications_open(self) -> bool:
        return self.state == self.State.PUBLISHED and (
            self.applications_deadline is None or timezone.now() <= self.applications_deadline
        )

    def checklist_items(self) -> list[str]:
        return [line.strip() for line in self.checklist.splitlines() if line.strip()]

    def national_axes(self):
        from tpj.nomenclatures.models import Axis

        return Axis.objects.filter(call_axes__call=self).distinct()

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
        return (
            EnvelopeRequest.objects.filter(application__call=self, application__state=Application.State.LAUREATE).aggregate(
                total=Sum("amount_allocated")
            )["total"]
            or ZERO
        )


class CallAxis(models.Model):
    """An axis retained by a call: a national axis, or a regional reformulation attached to ≥ 1 national axis."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="axes")
    label = models.CharField("libellé", max_length=400)
    national_axes = models.ManyToManyField(
        "nomenclatures.Axis", verbose_name="axes nationaux de rattachement", related_name="call_axes"
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "axe retenu"
        verbose_name_plural = "axes retenus"
        ordering = ["position", "id"]

    def __str__(self):
        return self.label


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
    """

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="envelopes")
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

    @property
    def total(self) -> Decimal:
        return (self.national_dotation or ZERO) + (self.local_top_up or ZERO)

    @property
    def remaining(self) -> Decimal:
        return self.total - self.allocated


# ---------------------------------------------------------------------------
# Applications
# ---------------------------------------------------------------------------


class ApplicationQuerySet(models.QuerySet):
    def public_laureates(self):
        """Laureate projects of calls whose laureate list was transmitted: public data.

        This is the one definition of "what may be shown publicly" (Module 3 reuses it).
        """
        return self.filter(state=Application.State.LAUREATE, call__state=Call.State.TRANSMITTED)

    def submitted(self):
        return self.exclude(state__in=[Application.State.DRAFT, Application.State.WITHDRAWN])

    def in_instruction_pool(self):
        """Applications the jury may score and the manager may decide."""
        return self.filter(state__in=Application.DECIDABLE_STATES)


class Application(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Brouillon"
        SUBMITTED = "submitted", "Déposée — en instruction"
        INFO_REQUESTED = "info_requested", "Complément demandé"
        ELIGIBLE = "eligible", "Recevable — soumise au jury"
        INELIGIBLE = "ineligible", "Irrecevable"
        LAUREATE = "laureate", "Lauréat"
        WAITING_LIST = "waiting_list", "Liste d'attente"
        REJECTED = "rejected", "Non retenue"
        WITHDRAWN = "withdrawn", "Retirée"

    DECIDABLE_STATES = [State.ELIGIBLE, State.LAUREATE, State.WAITING_LIST, State.REJECTED]
    DECIDED_STATES = [State.LAUREATE, State.WAITING_LIST, State.REJECTED, State.INELIGIBLE]

    call = models.ForeignKey(Call, verbose_name="appel à projets", on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name="structure porteuse", on_delete=models.PROTECT, related_name="call_applications"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Sent by the form / API client: a replayed or double-clicked creation finds the first one.
    client_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField("référence", max_length=40, blank=True, db_index=True)
    state = models.CharField("état", max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    title = models.CharField("intitulé du projet", max_length=255)
    carrier_siret = models.CharField("SIRET du porteur", max_length=14, blank=True)
    description = models.TextField("description du projet", blank=True)
    target_public = models.TextField("public visé", blank=True)
    call_axes = models.ManyToManyField(CallAxis, verbose_name="axes", blank=True, related_name="applications")
    places = models.ManyToManyField("territories.Commune", verbose_name="lieux d'action", blank=True, related_name="+")
    targeting_kinds = models.JSONField("territoires prioritaires concernés", default=list, blank=True)
    budget_total = money_field("budget total du projet (€)")
    start_date = models.DateField("début du projet", null=True, blank=True)
    end_date = models.DateField("fin du projet", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField("déposée le", null=True, blank=True)
    checklist = models.JSONField("liste de vérification", default=dict, blank=True)
    decision_reason = models.TextField("motif de la décision", blank=True)
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    notified_at = models.DateTimeField("notifiée le", null=True, blank=True)
    deliberation_notes = models.TextField("notes de délibération", blank=True)
    convention_signed_on = models.DateField("convention signée le", null=True, blank=True)
    project_started_on = models.DateField("projet démarré le", null=True, blank=True)
    final_evaluation = models.TextField("évaluation finale", blank=True)
    could_become_permanent = models.BooleanField("pourrait être pérennisé", null=True, blank=True)
    # Jury statistics, recomputed from the score sheets whenever one changes (services.refresh_jury_stats):
    # the ranking of a call then reads one indexed table instead of aggregating every sheet.
    mean_score = models.DecimalField("moyenne /20", max_digits=5, decimal_places=2, null=True, blank=True)
    low_score = models.DecimalField("note la plus basse", max_digits=5, decimal_places=2, null=True, blank=True)
    high_score = models.DecimalField("note la plus haute", max_digits=5, decimal_places=2, null=True, blank=True)
    scores_count = models.PositiveIntegerField("notes validées", default=0)
    expected_count = models.PositiveIntegerField("notes attendues", default=0)
    recused_count = models.PositiveIntegerField("récusations", default=0)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = "candidature"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["reference"], condition=~Q(reference=""), name="unique_application_reference"),
        ]
        indexes = [models.Index(fields=["call", "state", "mean_score"], name="application_ranking_idx")]

    def __str__(self):
        return f"{self.reference or 'Brouillon'} — {self.title}"

    @property
    def spread(self):
        return None if self.high_score is None else self.high_score - self.low_score

    @property
    def missing_count(self) -> int:
        return max(self.expected_count - self.scores_count, 0)

    @property
    def region_id(self):
        return self.call.region_id

    @property
    def is_editable(self) -> bool:
        return self.state == self.State.DRAFT

    def national_axis_ids(self) -> set[int]:
        return set(CallAxis.national_axes.through.objects.filter(callaxis__applications=self).values_list("axis_id", flat=True))

    def partner_organisation_ids(self) -> set[int]:
        return {p.organisation_id for p in self.partners.all() if p.organisation_id}

    def involved_organisation_ids(self) -> set[int]:
        return {self.organisation_id} | self.partner_organisation_ids()

    def requested_total(self) -> Decimal:
        return sum((r.amount_requested for r in self.requests.all()), ZERO)

    def allocated_total(self) -> Decimal:
        return sum((r.amount_allocated for r in self.requests.all()), ZERO)

    def cofinancing_total(self) -> Decimal:
        return sum((c.amount for c in self.cofinancings.all()), ZERO)

    def budget_lines_total(self) -> Decimal:
        return sum((b.amount for b in self.budget_lines.all()), ZERO)


class Partner(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField("partenaire", max_length=255)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="organisation inscrite sur la plateforme",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="call_partnerships",
    )
    role = models.CharField("rôle dans le projet", max_length=255)

    class Meta:
        verbose_name = "partenaire"
        ordering = ["id"]

    def __str__(self):
        return self.name


class BudgetLine(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="budget_lines")
    label = models.CharField("poste de dépense", max_length=255)
    amount = money_field("montant (€)")

    class Meta:
        verbose_name = "ligne de budget"
        ordering = ["id"]
        constraints = [models.CheckConstraint(name="budget_line_positive", condition=Q(amount__gte=0))]


class CoFinancing(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="cofinancings")
    source = models.ForeignKey(FundingSource, verbose_name="financeur", on_delete=models.PROTECT, related_name="+")
    amount = money_field("montant (€)")
    secured = models.BooleanField("acquis", default=False)

    class Meta:
        verbose_name = "co-financement"
        ordering = ["id"]
        constraints = [models.CheckConstraint(name="cofinancing_positive", condition=Q(amount__gte=0))]


class EnvelopeRequest(models.Model):
    """Amount requested from one envelope, and (once decided) allocated from it."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="requests")
    envelope = models.ForeignKey(Envelope, on_delete=models.PROTECT, related_name="requests")
    amount_requested = money_field("montant demandé (€)")
    amount_allocated = money_field("montant attribué (€)")

    class Meta:
        verbose_name = "demande sur une enveloppe"
        ordering = ["envelope__agency"]
        constraints = [
            models.UniqueConstraint(fields=["application", "envelope"], name="one_request_per_envelope"),
            models.CheckConstraint(
                name="request_amounts_positive", condition=Q(amount_requested__gte=0, amount_allocated__gte=0)
            ),
            models.CheckConstraint(
                name="allocation_not_above_request",
                condition=Q(amount_allocated__lte=models.F("amount_requested")),
                violation_error_message="Le montant attribué dépasse le montant demandé.",
            ),
        ]


class Indicator(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField("indicateur d'impact", max_length=255)
    baseline = models.CharField("valeur de départ", max_length=100)
    target = models.CharField("valeur cible", max_length=100)
    method = models.TextField("méthode de mesure")

    class Meta:
        verbose_name = "indicateur d'impact"
        ordering = ["id"]

    def __str__(self):
        return self.name


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    measured_on = models.DateField("mesuré le")
    value = models.CharField("valeur", max_length=100)
    comment = models.CharField("commentaire", max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "valeur d'indicateur"
        ordering = ["measured_on", "id"]


class Attachment(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    label = models.CharField("intitulé", max_length=255)
    file = models.FileField("fichier", upload_to="calls/attachments/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "pièce jointe"
        ordering = ["id"]


class InformationRequest(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="information_requests")
    question = models.TextField("demande de complément")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField("réponse", blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "demande de complément"
        ordering = ["asked_at", "id"]


class Payment(models.Model):
    request = models.ForeignKey(EnvelopeRequest, verbose_name="enveloppe", on_delete=models.PROTECT, related_name="payments")
    amount = money_field("montant versé (€)")
    paid_on = models.DateField("versé le")
    label = models.CharField("libellé", max_length=255, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "versement"
        ordering = ["paid_on", "id"]
        constraints = [models.CheckConstraint(name="payment_positive", condition=Q(amount__gt=0))]


# ---------------------------------------------------------------------------
# Jury
# ---------------------------------------------------------------------------


class JuryMember(models.Model):
    class Kind(models.TextChoices):
        FUNDER = "funder", "Financeur"
        OPERATOR = "operator", "Opérateur"
        EXPERT = "expert", "Expert"

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="jury")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="membre", on_delete=models.PROTECT, related_name="jury_seats")
    kind = models.CharField("qualité", max_length=10, choices=Kind.choices)

    class Meta:
        verbose_name = "membre du jury"
        verbose_name_plural = "membres du jury"
        ordering = ["user__last_name", "id"]
        constraints = [models.UniqueConstraint(fields=["call", "user"], name="one_seat_per_member")]

    def __str__(self):
        org = self.user.organisation
        return f"{self.user} ({org or 'sans organisation'}) — {self.get_kind_display()}"

    def auto_recused_from(self, application) -> bool:
        """Automatic recusal: the member's organisation carries or partners the application."""
        org_id = self.user.organisation_id
        return bool(org_id) and org_id in application.involved_organisation_ids()


class ScoreSheet(models.Model):
    """A member's assignment to an application: conflict declaration, scores, lock on submission."""

    member = models.ForeignKey(JuryMember, on_delete=models.CASCADE, related_name="sheets")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="sheets")
    assigned_at = models.DateTimeField(default=timezone.now)
    auto_recused = models.BooleanField("récusé d'office", default=False)
    conflict_declared_at = models.DateTimeField("déclaration d'intérêts le", null=True, blank=True)
    has_conflict = models.BooleanField("conflit d'intérêts déclaré", default=False)
    conflict_note = models.CharField("précision", max_length=500, blank=True)
    comment = models.TextField("commentaire", blank=True)
    submitted_at = models.DateTimeField("notation validée le", null=True, blank=True)
    # Weighted score out of 20, computed when the sheet is submitted (for the ranking).
    weighted_score = models.DecimalField("note pondérée /20", max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = "fiche de notation"
        verbose_name_plural = "fiches de notation"
        constraints = [
            models.UniqueConstraint(fields=["member", "application"], name="one_sheet_per_member_application"),
            models.CheckConstraint(
                name="recused_sheet_not_scored",
                condition=Q(auto_recused=False, has_conflict=False) | Q(submitted_at__isnull=True),
            ),
        ]
        indexes = [models.Index(fields=["application", "submitted_at"])]

    @property
    def is_recused(self) -> bool:
        return self.auto_recused or self.has_conflict

    @property
    def is_locked(self) -> bool:
        return self.submitted_at is not None


class CriterionScore(models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    value = models.PositiveSmallIntegerField("note", null=True, blank=True)
    not_applicable = models.BooleanField("sans objet", default=False)

    class Meta:
        verbose_name = "note"
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(
                name="score_not_applicable_has_no_value", condition=Q(not_applicable=False) | Q(value__isnull=True)
            ),
            models.CheckConstraint(name="score_range", condition=Q(value__isnull=True) | Q(value__lte=20)),
        ]
