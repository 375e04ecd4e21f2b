"""A team's training plan (issue 20, journey 4): a crèche director or a relais animator saves
offers (and, when chosen, one of their sessions) and notes who should go; the plan is exported."""

from django.conf import settings
from django.db import models


class TrainingPlanQuerySet(models.QuerySet):
    def owned_by(self, user):
        """A plan is its owner's alone: nobody else sees or changes it (a 404 for them)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)

    visible_to = owned_by


class TrainingPlan(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="auteur", on_delete=models.CASCADE, related_name="training_plans"
    )
    name = models.CharField("nom du plan", max_length=200)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = TrainingPlanQuerySet.as_manager()

    class Meta:
        verbose_name = "plan de formation"
        verbose_name_plural = "plans de formation"
        ordering = ["-updated_at", "id"]

    def __str__(self):
        return self.name


class PlanItem(models.Model):
    plan = models.ForeignKey(TrainingPlan, verbose_name="plan", on_delete=models.CASCADE, related_name="items")
    offer = models.ForeignKey("training.Offer", verbose_name="offre", on_delete=models.CASCADE, related_name="+")
    # The session the team aims at, once chosen (the offer alone until then).
    session = models.ForeignKey(
        "training.Session", verbose_name="session", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attendees = models.TextField("qui doit y aller", max_length=2000, blank=True)
    note = models.TextField("note", max_length=2000, blank=True)
    added_at = models.DateTimeField("ajoutée le", auto_now_add=True)

    class Meta:
        verbose_name = "offre du plan"
        verbose_name_plural = "offres du plan"
        ordering = ["added_at", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "offer"], name="training_plan_offer_once")]

    def __str__(self):
        return f"{self.plan} — {self.offer}"
