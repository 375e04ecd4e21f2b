"""Training organisations (organismes de formation): who publishes offers."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from stdnum.fr import siret as stdnum_siret

from tpj.core.validators import plausible_date, validate_siret

# The numéro de déclaration d'activité a DREETS gives an organisation (Code du travail, L. 6351-1).
validate_activity_number = RegexValidator(
    r"^\d{11}\Z",
    message="Le numéro de déclaration d'activité doit comporter exactement 11 chiffres.",
    code="activity_number",
)


class TrainingOrganisationQuerySet(models.QuerySet):
    def of_member(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(members=user)


class TrainingOrganisation(models.Model):
    name = models.CharField("nom", max_length=255)
    siret = models.CharField("SIRET", max_length=14, validators=[validate_siret])
    activity_number = models.CharField(
        "numéro de déclaration d'activité",
        max_length=11,
        validators=[validate_activity_number],
        help_text="11 chiffres, attribués par la DREETS.",
    )
    qualiopi = models.BooleanField("certifié Qualiopi", default=False)
    qualiopi_date = models.DateField("date de certification Qualiopi", null=True, blank=True, validators=[plausible_date])
    commune = models.ForeignKey(
        "territories.Commune", verbose_name="commune du siège", on_delete=models.PROTECT, related_name="+"
    )
    # Denormalised from the commune: the commissaire of this région moderates its offers.
    region = models.ForeignKey(
        "territories.Region", verbose_name="région", on_delete=models.PROTECT, related_name="+", editable=False
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="membres", blank=True, related_name="training_organisations"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TrainingOrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = "organisme de formation"
        verbose_name_plural = "organismes de formation"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["siret"],
                name="training_unique_organisation_siret",
                violation_error_message="Un organisme de formation portant ce SIRET est déjà inscrit.",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.commune_id:
            self.region_id = self.commune.region_id
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None):
        # "213 502 388 00019" is how people copy a SIRET: compact it before the length check.
        if self.siret:
            self.siret = stdnum_siret.compact(self.siret)
        if self.activity_number:
            self.activity_number = self.activity_number.replace(" ", "")
        super().clean_fields(exclude)

    def clean(self):
        if self.qualiopi and not self.qualiopi_date:
            raise ValidationError({"qualiopi_date": "Indiquez la date de la certification Qualiopi."})
        if not self.qualiopi and self.qualiopi_date:
            raise ValidationError(
                {"qualiopi_date": "Une date de certification n'a de sens que si l'organisme est certifié Qualiopi."}
            )

    def has_member(self, user) -> bool:
        return bool(user.is_authenticated and self.pk and self.members.filter(pk=user.pk).exists())
