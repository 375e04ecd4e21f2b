"""National nomenclatures (docs/domain.md §3). Their values are data, loaded by a migration
from data/nomenclatures.json; administrators may edit them, the code never repeats them."""

from django.db import models


class Priority(models.Model):
    number = models.PositiveSmallIntegerField("numéro", unique=True)
    label = models.CharField("libellé", max_length=255)
    short_label = models.CharField("libellé court", max_length=100)
    description = models.TextField("présentation", blank=True)

    class Meta:
        verbose_name = "priorité"
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.short_label}"


class Axis(models.Model):
    number = models.PositiveSmallIntegerField("numéro", unique=True)
    label = models.CharField("libellé", max_length=255)

    class Meta:
        verbose_name = "axe d'appel à projets"
        verbose_name_plural = "axes d'appel à projets"
        ordering = ["number"]

    def __str__(self):
        return f"Axe {self.number}"


class EligibilitySituation(models.Model):
    number = models.PositiveSmallIntegerField("numéro", unique=True)
    label = models.CharField("libellé", max_length=255)
    examples = models.CharField("exemples", max_length=255, blank=True)

    class Meta:
        verbose_name = "situation d'éligibilité"
        verbose_name_plural = "situations d'éligibilité"
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.label}"


class Category(models.Model):
    class ParentOrientation(models.TextChoices):
        NONE = "", "Aucune"
        MONENFANT = "monenfant", "monenfant.fr (modes d'accueil)"
        SANTE = "sante", "sante.fr (professionnels de santé)"

    slug = models.SlugField("code", max_length=80, unique=True)
    label = models.CharField("libellé", max_length=255)
    position = models.PositiveSmallIntegerField("ordre", default=0)
    suggested_priorities = models.ManyToManyField(Priority, verbose_name="priorités suggérées", blank=True)
    # Where to point parents: the map is the professionals' tool, not theirs.
    parent_orientation = models.CharField("orientation des parents", max_length=20, choices=ParentOrientation.choices, blank=True)
    is_active = models.BooleanField("active", default=True)

    class Meta:
        verbose_name = "catégorie de professionnel"
        verbose_name_plural = "catégories de professionnels"
        ordering = ["position", "label"]

    def __str__(self):
        return self.label


class EntryKind(models.Model):
    slug = models.SlugField("code", max_length=40, unique=True)
    label = models.CharField("libellé", max_length=100)

    class Meta:
        verbose_name = "type de fiche"
        ordering = ["id"]

    def __str__(self):
        return self.label


class FundingSource(models.Model):
    class Agency(models.TextChoices):
        ARS = "ARS", "ARS"
        DREETS = "DREETS", "DREETS"

    slug = models.SlugField("code", max_length=40, unique=True)
    label = models.CharField("libellé", max_length=255)
    # The State agency whose envelope this source is, if any (non-fungible envelopes).
    agency = models.CharField("agence", max_length=10, choices=Agency.choices, blank=True)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "source de financement"
        verbose_name_plural = "sources de financement"
        ordering = ["position"]

    def __str__(self):
        return self.label


class TrainingTheme(models.Model):
    number = models.PositiveSmallIntegerField("numéro", unique=True)
    label = models.CharField("libellé", max_length=255)

    class Meta:
        verbose_name = "thème de formation"
        verbose_name_plural = "thèmes de formation"
        ordering = ["number"]

    def __str__(self):
        return self.label
