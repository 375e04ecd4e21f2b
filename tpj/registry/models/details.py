"""What an entry declares besides its own columns: priorities, eligibility situations with
their evidence files, contact channels."""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models

from ..identifiers import check_reference
from .entries import Entry


class EntryPriority(models.Model):
    # No single-column indexes: the unique (entry, priority) and the (priority, entry)
    # indexes below start with each.
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="priorities", db_index=False)
    priority = models.ForeignKey(
        "nomenclatures.Priority", verbose_name="priorité", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    description = models.TextField(
        "ce que nous faisons pour cette priorité", max_length=2000, validators=[MaxLengthValidator(2000)], blank=True
    )

    class Meta:
        verbose_name = "priorité déclarée"
        verbose_name_plural = "priorités déclarées"
        ordering = ["priority__number"]
        constraints = [models.UniqueConstraint(fields=["entry", "priority"], name="registry_unique_entry_priority")]
        indexes = [models.Index(fields=["priority", "entry"], name="registry_priority_entry")]

    def __str__(self):
        return str(self.priority)


class TrustingBodyKind(models.TextChoices):
    STATE = "etat", "Service de l'État (dont ARS)"
    SOCIAL_SECURITY = "securite_sociale", "Sécurité sociale (CAF, CPAM, MSA…)"
    LOCAL_AUTHORITY = "collectivite", "Collectivité territoriale (dont PMI)"


class ReferenceType(models.TextChoices):
    SIRET = "siret", "SIRET"
    SIREN = "siren", "SIREN"
    FINESS = "finess", "FINESS"
    RPPS = "rpps", "RPPS"
    ADELI = "adeli", "ADELI"
    AGREMENT = "agrement", "Numéro d'agrément ou d'autorisation"
    CONVENTION = "convention", "Numéro de convention"
    FUNDING = "financement", "Décision de financement"


def evidence_upload_to(instance, filename):
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(instance.evidence_content_type, "bin")
    return f"registry/evidence/{uuid.uuid4().hex}.{extension}"


class EntrySituation(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="situations")
    # Not indexed: four situations, never looked up from this side.
    situation = models.ForeignKey(
        "nomenclatures.EligibilitySituation",
        verbose_name="situation d'éligibilité",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    trusting_body_name = models.CharField("organisme qui vous fait confiance", max_length=200)
    trusting_body_kind = models.CharField("type d'organisme", max_length=20, choices=TrustingBodyKind.choices)
    reference_type = models.CharField("type de référence", max_length=20, choices=ReferenceType.choices)
    reference_value = models.CharField("référence", max_length=100)
    evidence = models.FileField("justificatif", upload_to=evidence_upload_to, blank=True, max_length=200)
    evidence_content_type = models.CharField(max_length=50, blank=True, editable=False)
    evidence_name = models.CharField("nom du fichier d'origine", max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name = "situation d'éligibilité déclarée"
        verbose_name_plural = "situations d'éligibilité déclarées"
        ordering = ["situation__number", "id"]
        indexes = [models.Index(fields=["reference_type", "reference_value"], name="registry_situation_reference")]

    def __str__(self):
        return f"{self.situation} — {self.trusting_body_name}"

    def clean(self):
        error = check_reference(self.reference_type, self.reference_value)
        if error:
            raise ValidationError({"reference_value": error})


class ContactChannel(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", "Adresse e-mail"
        PHONE = "phone", "Téléphone"
        OTHER = "other", "Autre (réseau social, formulaire…)"

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField("type de contact", max_length=10, choices=Kind.choices)
    value = models.CharField("coordonnée", max_length=200)
    is_public = models.BooleanField(
        "j'accepte que cette coordonnée soit publiée",
        default=False,
        help_text="Sans votre accord explicite, elle reste visible des seuls modérateurs.",
    )

    class Meta:
        verbose_name = "moyen de contact"
        verbose_name_plural = "moyens de contact"
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_kind_display()} : {self.value}"
