"""An application to a call and its content: partners, budget, co-financings, requests on envelopes, indicators.

An allocation never exceeds what was requested: also a database constraint.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tpj.nomenclatures.models import FundingSource

from .access import is_authenticated, is_national
from .calls import Call, CallAxis, Envelope
from .common import ZERO, ApplicationState, CallState, money_field


def _managed(user) -> Q:
    return Q(call__in=Call.objects.managed_by(user)) & ~Q(state=ApplicationState.DRAFT)


class ApplicationQuerySet(models.QuerySet):
    def public_laureates(self):
        """Laureate projects of calls whose laureate list was transmitted: public data.

        This is the one definition of "what may be shown publicly" (Module 3 reuses it).
        """
        return self.filter(state=ApplicationState.LAUREATE, call__state=CallState.TRANSMITTED)

    def submitted(self):
        return self.exclude(state__in=[ApplicationState.DRAFT, ApplicationState.WITHDRAWN])

    def managed_by(self, user):
        """Submitted (non-draft) applications of the calls the user manages."""
        return self.filter(_managed(user))

    def visible_to(self, user):
        """Applications the user may list: its organisation's, those of the calls it manages or
        instructs (all non-drafts for the national team), those it may score (not recused,
        interests declared)."""
        if not is_authenticated(user):
            return self.none()
        own = Q(organisation_id=user.organisation_id) if user.organisation_id else Q(pk__in=[])
        if is_national(user):
            return self.filter(own | ~Q(state=ApplicationState.DRAFT))
        scored = Q(
            sheets__member__user=user,
            sheets__auto_recused=False,
            sheets__has_conflict=False,
            sheets__conflict_declared_at__isnull=False,
        )
        instructed = Q(call__instructors__user=user) & ~Q(state=ApplicationState.DRAFT)
        return self.filter(own | _managed(user) | instructed | scored).distinct()

    def in_instruction_pool(self):
        """Applications the jury may score and the manager may decide."""
        return self.filter(state__in=Application.DECIDABLE_STATES)


class Application(models.Model):
    State = ApplicationState

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
    # The carrier's identity in the Sirene register (tpj.core.sirene), read when its SIRET is
    # given or changed (services.carrier.record_carrier_identity): empty when not found.
    carrier_legal_name = models.CharField("raison sociale du porteur (Sirene)", max_length=255, blank=True)
    carrier_address = models.CharField("adresse du porteur (Sirene)", max_length=255, blank=True)
    carrier_legal_form = models.CharField("forme juridique du porteur (Sirene)", max_length=120, blank=True)
    carrier_activity = models.CharField("activité principale du porteur (Sirene)", max_length=255, blank=True)
    carrier_closed = models.BooleanField("établissement fermé selon Sirene", default=False)
    carrier_identity_at = models.DateTimeField("identité Sirene relevée le", null=True, blank=True)
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
    JURY_STATS_FIELDS = ("mean_score", "low_score", "high_score", "scores_count", "expected_count", "recused_count")

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

    def attached_reference_ids(self) -> set[int]:
        """The items of its call kind's national list (6 axes, 7 training themes) the project attaches to."""
        field = self.call.definition.reference.field
        ids = CallAxis.objects.filter(applications=self).values_list(f"{field}__pk", flat=True)
        return {pk for pk in ids if pk is not None}

    def partner_organisation_ids(self) -> set[int]:
        return {p.organisation_id for p in self.partners.all() if p.organisation_id}

    def involved_organisation_ids(self) -> set[int]:
        return {self.organisation_id} | self.partner_organisation_ids()

    def allocated_total(self) -> Decimal:
        return sum((r.amount_allocated for r in self.requests.all()), ZERO)

    def cofinancing_total(self) -> Decimal:
        return sum((c.amount for c in self.cofinancings.all()), ZERO)


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
