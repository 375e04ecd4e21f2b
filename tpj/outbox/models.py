"""The outbox: every e-mail the platform sends is first a row here, written in the
transaction of the change that causes it, then sent by a worker (tpj.outbox.delivery)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Cast

from . import purposes


class OutgoingEmailQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))

    def for_objects(self, queryset):
        """Messages about any object of `queryset` (a subquery: no list of ids in memory)."""
        keys = queryset.order_by().annotate(_outbox_key=Cast("pk", models.CharField())).values("_outbox_key")
        return self.filter(content_type=ContentType.objects.get_for_model(queryset.model), object_id__in=keys)

    def failed(self):
        return self.filter(status=OutgoingEmail.Status.FAILED)


class OutgoingEmail(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "À envoyer"
        SENDING = "sending", "En cours d'envoi"
        SENT = "sent", "Envoyé"
        FAILED = "failed", "En échec"

    purpose = models.CharField("objet du courriel", max_length=64, db_index=True)
    recipients = models.JSONField("destinataires", default=list)
    from_email = models.CharField("expéditeur", max_length=254, blank=True)
    subject = models.CharField("sujet", max_length=255)
    body = models.TextField("texte")
    html_body = models.TextField("version HTML", blank=True)
    status = models.CharField("état", max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    last_error = models.TextField("dernière erreur", blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True, db_index=True)
    last_attempt_at = models.DateTimeField("dernière tentative le", null=True, blank=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    # When a pending message may be tried (again): the backoff after a failed attempt.
    next_attempt_at = models.DateTimeField("prochaine tentative le", null=True, blank=True)
    # A lease. Sending: the worker that claimed the message is presumed dead after it (the
    # message is then claimed again). Pending: its queued task is presumed lost after it
    # (the periodic recovery queues it again).
    claimed_until = models.DateTimeField("réservé jusqu'au", null=True, blank=True)
    # The object the message is about (an application, an entry, an account), for the staff
    # pages that list the failures of their objects.
    content_type = models.ForeignKey(
        ContentType, verbose_name="type d'objet", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField("identifiant de l'objet", max_length=64, blank=True)
    content_object = GenericForeignKey("content_type", "object_id")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="à l'origine de l'envoi",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        verbose_name = "courriel sortant"
        verbose_name_plural = "courriels sortants"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "purpose"]),
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
        ]

    def __str__(self):
        return f"{self.purpose_label} — {', '.join(self.recipients)}"

    @property
    def purpose_label(self) -> str:
        return purposes.label(self.purpose)


def attachment_path(instance, filename):
    return f"outbox/{instance.message_id}/{filename}"


class OutgoingAttachment(models.Model):
    """A file attached to an outgoing e-mail, kept in the default storage until it is sent."""

    message = models.ForeignKey(OutgoingEmail, verbose_name="courriel", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("fichier", upload_to=attachment_path, max_length=255)
    filename = models.CharField("nom du fichier", max_length=200)
    mimetype = models.CharField("type", max_length=100, blank=True)

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"

    def __str__(self):
        return self.filename
