"""One conversation per file (an application, a registry entry): its messages, their
attachments, and how far each side has read."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from .kinds import Side


class Thread(models.Model):
    """The conversation of one file, created with its first message."""

    kind = models.CharField("type", max_length=80)  # a ThreadKind key (tpj/conversations/kinds.py)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    file = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField("ouvert le", auto_now_add=True)

    class Meta:
        verbose_name = "fil d'échanges"
        verbose_name_plural = "fils d'échanges"
        constraints = [models.UniqueConstraint(fields=["content_type", "object_id"], name="one_thread_per_file")]

    def __str__(self):
        return f"Échanges — {self.content_type.model} {self.object_id}"


class MessageQuerySet(models.QuerySet):
    def seen_by(self, side: str):
        """The messages `side` may read: the holder never reads the staff's internal notes."""
        return self if side == Side.STAFF else self.filter(internal=False)


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="auteur"
    )
    side = models.CharField("côté", max_length=8, choices=Side.choices)
    body = models.TextField("message")
    # A note the staff keep for themselves: never shown, listed, counted, exported nor
    # notified to the holder (`MessageQuerySet.seen_by`).
    internal = models.BooleanField("note interne", default=False)
    created_at = models.DateTimeField("écrit le", auto_now_add=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = "message"
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["thread", "created_at"], name="message_thread_idx")]

    def __str__(self):
        return self.body[:60]


def attachment_path(instance, filename):
    return f"conversations/{instance.message.thread_id}/{filename}"


class MessageAttachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    # Stored under a random name with the extension of its content; the name it came with is
    # `original_name`, given back in the download's Content-Disposition.
    file = models.FileField("fichier", upload_to=attachment_path, max_length=255)
    original_name = models.CharField("nom du fichier", max_length=200)
    size = models.PositiveIntegerField("taille (octets)")
    mimetype = models.CharField("type", max_length=100)

    class Meta:
        verbose_name = "pièce jointe d'un message"
        verbose_name_plural = "pièces jointes des messages"
        ordering = ["pk"]

    def __str__(self):
        return self.original_name


class ReadMark(models.Model):
    """When a side last read the thread (« Lu par le porteur le … »): one row per side."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_marks")
    side = models.CharField("côté", max_length=8, choices=Side.choices)
    last_read_at = models.DateTimeField("lu le")

    class Meta:
        verbose_name = "lecture"
        constraints = [models.UniqueConstraint(fields=["thread", "side"], name="one_read_mark_per_side")]
