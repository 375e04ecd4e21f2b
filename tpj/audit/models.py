from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from .labels import REFUSED_SUFFIX, action_label


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))

    def delete(self):
        raise AppendOnlyError("Le journal d'audit ne peut pas être effacé.")

    def update(self, **kwargs):
        raise AppendOnlyError("Le journal d'audit ne peut pas être modifié.")


class AuditEvent(models.Model):
    """One line of the append-only audit log: who did what to which object, and why."""

    created_at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="auteur", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept even if the account is later anonymised or deleted.
    actor_label = models.CharField("auteur (libellé)", max_length=255, blank=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField("objet", max_length=255, blank=True)
    action = models.CharField("action", max_length=100, db_index=True)
    from_state = models.CharField("état avant", max_length=50, blank=True)
    to_state = models.CharField("état après", max_length=50, blank=True)
    reason = models.TextField("motif", blank=True)
    before = models.JSONField("avant", null=True, blank=True)
    after = models.JSONField("après", null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "événement d'audit"
        verbose_name_plural = "journal d'audit"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]

    def __str__(self):
        return f"{self.created_at:%d/%m/%Y %H:%M} — {self.actor_label or 'système'} — {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Le journal d'audit ne peut pas être modifié.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Le journal d'audit ne peut pas être effacé.")

    @property
    def is_refusal(self) -> bool:
        """A refused attempt (the state no longer allowed it): nothing changed, `reason` says why."""
        return self.action.endswith(REFUSED_SUFFIX)

    @property
    def action_label(self) -> str:
        """What happened, in French (tpj/audit/labels.py), never the action's code."""
        return action_label(self.action)

    @property
    def object_kind(self) -> str:
        """The kind of object, in French (its model's verbose name: « candidature »)."""
        if not self.content_type_id:
            return ""
        model = ContentType.objects.get_for_id(self.content_type_id).model_class()
        return str(model._meta.verbose_name) if model else ContentType.objects.get_for_id(self.content_type_id).model

    def _state_label(self, value: str) -> str:
        """The French label of a state of the object's model (the choices of its `state` field,
        or `status` for the background work's rows — imports, exports, e-mails —, then of its
        other workflows' fields, named `<something>_state`)."""
        model = ContentType.objects.get_for_id(self.content_type_id).model_class() if self.content_type_id else None
        choices = {}
        for name in ("state", "status") if model else ():
            try:
                choices = dict(model._meta.get_field(name).flatchoices)
                break
            except FieldDoesNotExist:
                continue
        if model and value not in choices:
            for field in model._meta.concrete_fields:
                if field.name.endswith("_state") and field.choices:
                    choices = {**dict(field.flatchoices), **choices}
        return str(choices.get(value, value))

    @property
    def from_state_label(self) -> str:
        return self._state_label(self.from_state)

    @property
    def to_state_label(self) -> str:
        return self._state_label(self.to_state)

    @property
    def outcome_label(self) -> str:
        return "refusée" if self.is_refusal else "effectuée"
