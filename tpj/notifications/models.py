from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from . import kinds
from .kinds import Delivery


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def for_user(self, user):
        return self.filter(recipient=user)

    def awaiting_digest(self):
        """Notifications owed to a daily digest that no digest carries yet.

        A digest written to the outbox claims its rows (`email`): a second run of the job,
        even at the same time, finds them taken; a digest that fails keeps them (staff see
        it in the outbox and may send it again)."""
        return self.filter(delivery=Delivery.DAILY, email__isnull=True, emailed_at__isnull=True)


class Notification(models.Model):
    """One thing one person is told, written in the transaction of the event that causes it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name="destinataire"
    )
    kind = models.CharField("type", max_length=80)
    title = models.CharField("titre", max_length=255)
    body = models.TextField("détail", blank=True)
    url = models.CharField("page", max_length=500, help_text="Chemin de la page où agir.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="auteur de l'action",
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    # The recipient's preference for this kind when it was written: immediate e-mails are
    # written to the outbox with the notification; daily ones wait for the digest job.
    delivery = models.CharField("envoi", max_length=16, choices=Delivery.choices)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    read_at = models.DateTimeField("lue le", null=True, blank=True)
    emailed_at = models.DateTimeField("envoyée par courriel le", null=True, blank=True)
    # The e-mail that carries it: its own (immediate) or the daily digest that lists it,
    # written with that outbox row. `emailed_at` is set by the purpose's `on_sent` hook,
    # once the e-mail has actually been sent (tpj.notifications.emails).
    email = models.ForeignKey(
        "outbox.OutgoingEmail",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name="courriel",
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "notification"
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The bell's unread count: one index-only count per page.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread_idx"),
            models.Index(fields=["recipient", "-created_at"], name="notification_list_idx"),
            models.Index(fields=["content_type", "object_id"], name="notification_target_idx"),
            # The daily digest's job: the few rows no digest carries yet, among all.
            models.Index(
                fields=["recipient"],
                condition=Q(delivery=Delivery.DAILY, email__isnull=True, emailed_at__isnull=True),
                name="notification_digest_idx",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def group(self) -> str:
        """The module it comes from ("Annuaire"), or "" for a kind no longer declared."""
        try:
            return kinds.get(self.kind).group
        except LookupError:
            return ""


class NotificationPreference(models.Model):
    """How one person wants to hear of one kind (absent: the kind's default)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField("type", max_length=80)
    delivery = models.CharField("envoi", max_length=16, choices=Delivery.choices)

    class Meta:
        verbose_name = "préférence de notification"
        verbose_name_plural = "préférences de notification"
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")]
