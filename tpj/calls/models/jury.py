"""The jury of a call: its members, their score sheets and the scores per criterion."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .applications import Application
from .calls import Call, Criterion

# The call's states before scoring opens: applications are still received (or not yet).
BEFORE_SCORING = (Call.State.DRAFT, Call.State.PUBLISHED)


def scoring_notice(call: Call) -> str:
    """When scoring of the call's files opens and until when it lasts, in French, for its jurors.

    Scoring opens when the call's managers close the applications (transition
    `close_applications`, which tells the jurors who have files to score), for the files
    declared eligible; it lasts until the laureates' list is decided (`calls.score`)."""
    meeting = f" Le jury se réunit le {call.jury_date:%d/%m/%Y}." if call.jury_date else ""
    if call.state in BEFORE_SCORING:
        deadline = call.applications_deadline
        after = f", après la date limite de dépôt du {timezone.localtime(deadline):%d/%m/%Y à %H:%M}" if deadline else ""
        return (
            f"La notation s'ouvrira quand les gestionnaires de l'appel cloront les candidatures{after}, "
            f"pour les dossiers déclarés recevables ; vous en serez prévenu(e).{meeting}"
        )
    if call.state == Call.State.CLOSED:
        return f"La notation est ouverte jusqu'à l'arrêt de la liste des lauréats.{meeting}"
    return "La notation est close : la liste des lauréats de l'appel est arrêtée."


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


class ScoreSheetQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Every sheet of the calls the user manages; otherwise only the user's own sheets."""
        return self.filter(Q(member__user=user) | Q(application__call__in=Call.objects.managed_by(user)))

    def to_score(self):
        """Sheets their member still has to score, whatever the call's state: not recused, not
        validated, of an application still before the jury."""
        return self.filter(
            auto_recused=False,
            has_conflict=False,
            submitted_at__isnull=True,
            application__state__in=Application.DECIDABLE_STATES,
        )


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

    objects = ScoreSheetQuerySet.as_manager()

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

    def scoring_closed_reason(self) -> str:
        """Why the application's or the call's state keeps this file from being scored, and
        when it opens, in French; "" when it is open (the member's declaration and the lock
        are the rule's, `calls.score`)."""
        app = self.application
        if app.state not in Application.DECIDABLE_STATES:
            return f"Ce dossier n'est plus soumis au jury (état du dossier : {app.get_state_display()})."
        if app.call.state == Call.State.CLOSED:
            return ""
        return scoring_notice(app.call)


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
