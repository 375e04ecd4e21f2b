"""The instruction of a call's applications by a team: its instructors, who instructs which
file, and the instruction checklist ticked per application.

The call's managers (`Call.is_managed_by`) compose the team from the agents of the call's
agencies (an ARS, a DREETS of the call's région) and assign each application to one or more
of them. Any instructor of a call instructs its submitted applications; the assignment says
whose work each one is (« Dossiers à instruire »).

The checklist's items are `DEFAULT_CHECKLIST`, then the items a manager adds to the call
(`ChecklistItem`). A tick keeps who last ticked or unticked the item, and when; the audit
log keeps every change.
"""

from django.conf import settings
from django.db import models

from .applications import Application
from .calls import Call

DEFAULT_CHECKLIST = (
    "Pièces complètes",
    "Porteur éligible (SIRET)",
    "Lieux d'action dans la région",
    "Budget équilibré",
    "Rattachement à un axe",
)


class Instructor(models.Model):
    """A member of a call's instruction team."""

    call = models.ForeignKey(Call, verbose_name="appel à projets", on_delete=models.CASCADE, related_name="instructors")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="instructeur", on_delete=models.CASCADE, related_name="instruction_seats"
    )
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField("ajouté le", auto_now_add=True)

    class Meta:
        verbose_name = "instructeur"
        ordering = ["user__last_name", "user__first_name", "user__email"]
        constraints = [models.UniqueConstraint(fields=["call", "user"], name="one_seat_per_instructor")]

    def __str__(self):
        return str(self.user)


class InstructionAssignment(models.Model):
    """An application assigned to one instructor of its call."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="instruction_assignments")
    instructor = models.ForeignKey(Instructor, on_delete=models.CASCADE, related_name="assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField("attribué le", auto_now_add=True)

    class Meta:
        verbose_name = "attribution pour instruction"
        verbose_name_plural = "attributions pour instruction"
        ordering = ["assigned_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["application", "instructor"], name="one_assignment_per_instructor")]


class ChecklistItem(models.Model):
    """A point of the instruction checklist a manager adds to a call, after the default ones."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="added_checklist_items")
    label = models.CharField("point à vérifier", max_length=200)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField("ajouté le", auto_now_add=True)

    class Meta:
        verbose_name = "point de la liste de vérification"
        verbose_name_plural = "points de la liste de vérification"
        ordering = ["added_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["call", "label"], name="one_checklist_item_per_label")]

    def __str__(self):
        return self.label


class ChecklistTick(models.Model):
    """The state of one checklist item on one application, with who changed it last and when."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="checklist_ticks")
    label = models.CharField("point vérifié", max_length=200)
    ticked = models.BooleanField("coché", default=False)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField("modifié le")

    class Meta:
        verbose_name = "vérification d'instruction"
        verbose_name_plural = "vérifications d'instruction"
        constraints = [models.UniqueConstraint(fields=["application", "label"], name="one_tick_per_checklist_item")]
