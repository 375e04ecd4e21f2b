"""Module 3 — national measures, their regional deployments, births tables and apportionments,
and the "coup de cœur" chosen by each région among its laureate projects."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, Sum

from tpj.core.validators import plausible_date
from tpj.territories.models import Departement


class MeasureQuerySet(models.QuerySet):
    def with_progress(self):
        """Annotate the live figures every progress computation needs, in one query."""
        return self.annotate(
            deployment_count=Count("deployments", distinct=True),
            region_count=Count("deployments__region", distinct=True),
            departement_count=Count("deployments__departement", distinct=True),
            quantity_total=Sum("deployments__quantity"),
            amount_total=Sum("deployments__amount"),
        )


class Measure(models.Model):
    """A national measure deployed by the ARS (docs/domain.md §6), with its national target."""

    class Basis(models.TextChoices):
        REGIONS = "regions", "Régions engagées"
        QUANTITY = "quantity", "Quantité déployée"
        DEPARTEMENTS = "departements", "Départements couverts"
        QUALITATIVE = "qualitative", "Suivi qualitatif"

    slug = models.SlugField("code", max_length=80, unique=True)
    position = models.PositiveSmallIntegerField("ordre", default=0)
    title = models.CharField("mesure", max_length=255)
    description = models.TextField("présentation", blank=True)
    target_label = models.CharField("cible nationale", max_length=255)
    target_min = models.PositiveIntegerField("cible (minimum)", null=True, blank=True)
    target_max = models.PositiveIntegerField("cible (maximum)", null=True, blank=True)
    basis = models.CharField("mode de suivi", max_length=20, choices=Basis.choices)
    unit = models.CharField("unité", max_length=80)
    year = models.PositiveSmallIntegerField("année de la cible")
    source = models.CharField("source", max_length=255, blank=True)
    # The posts of this measure are shared between régions by an apportionment of births.
    apportioned = models.BooleanField("répartie selon les naissances", default=False)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = "mesure nationale"
        verbose_name_plural = "mesures nationales"
        ordering = ["position"]

    def __str__(self):
        return self.title

    def progress_value(self) -> int:
        """The figure compared with the target (needs `with_progress()` annotations)."""
        return {
            self.Basis.REGIONS: self.region_count,
            self.Basis.QUANTITY: self.quantity_total or 0,
            self.Basis.DEPARTEMENTS: self.departement_count,
            self.Basis.QUALITATIVE: self.deployment_count,
        }[self.basis]

    def target_value(self, departement_total: int | None = None) -> int | None:
        if self.basis == self.Basis.DEPARTEMENTS:
            return departement_total if departement_total is not None else Departement.objects.count()
        return self.target_min

    def progress(self, departement_total: int | None = None) -> dict:
        value, target = self.progress_value(), self.target_value(departement_total)
        percent = min(100, round(100 * value / target)) if target else None
        if target is None:
            status = "qualitative"
        elif value >= target:
            status = "reached"
        else:
            status = "ongoing"
        return {"value": value, "target": target, "percent": percent, "status": status}


class Deployment(models.Model):
    """One record of a measure deployed in a région: what, where, when, how much."""

    measure = models.ForeignKey(Measure, verbose_name="mesure", on_delete=models.PROTECT, related_name="deployments")
    region = models.ForeignKey("territories.Region", verbose_name="région", on_delete=models.PROTECT, related_name="+")
    departement = models.ForeignKey(
        "territories.Departement", verbose_name="département", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    commune = models.ForeignKey(
        "territories.Commune", verbose_name="commune", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(
        "quoi", max_length=255, help_text="Par exemple : unité parents-bébé du CHU, convention maternité-PMI…"
    )
    carrier = models.CharField("structure", max_length=255, blank=True)
    date = models.DateField("date", help_text="Date de mise en place ou de la décision", validators=[plausible_date])
    quantity = models.PositiveIntegerField(
        "contribution à la cible",
        default=0,
        help_text="Nombre d'unités, d'équipes, de postes ou de territoires ; 0 si non chiffrable.",
    )
    amount = models.DecimalField(
        "montant (€)", max_digits=12, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    notes = models.TextField("précisions", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="saisi par", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("saisi le", auto_now_add=True)

    class Meta:
        verbose_name = "déploiement"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["measure", "region"])]

    def __str__(self):
        return f"{self.title} ({self.region})"

    def clean(self):
        errors = {}
        if self.departement_id and self.region_id and self.departement.region_id != self.region_id:
            errors["departement"] = "Ce département n'appartient pas à la région choisie."
        if self.commune_id:
            if self.region_id and self.commune.region_id != self.region_id:
                errors["commune"] = "Cette commune n'appartient pas à la région choisie."
            elif self.departement_id and self.commune.departement_id != self.departement_id:
                errors["commune"] = "Cette commune n'appartient pas au département choisi."
            elif not self.departement_id:
                self.departement_id = self.commune.departement_id
        if self.date and not 2019 <= self.date.year <= 2100:
            errors["date"] = "La date doit être postérieure à 2019 (lancement de la politique des 1000 premiers jours)."
        if errors:
            raise ValidationError(errors)


class BirthsTable(models.Model):
    """Births (parturientes) per région for one year, imported by the national team."""

    year = models.PositiveSmallIntegerField("année des naissances")
    source = models.CharField("source", max_length=255, help_text="Par exemple : INSEE, état civil 2020")
    filename = models.CharField("fichier importé", max_length=255, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="importé par", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField("importé le", auto_now_add=True)

    class Meta:
        verbose_name = "tableau des naissances"
        verbose_name_plural = "tableaux des naissances"
        ordering = ["-year", "-imported_at"]

    def __str__(self):
        return f"Naissances {self.year} ({self.source})"

    def as_mapping(self) -> dict[str, int]:
        return dict(self.counts.values_list("region_id", "births"))

    @property
    def total(self) -> int:
        return self.counts.aggregate(total=Sum("births"))["total"] or 0


class BirthsCount(models.Model):
    table = models.ForeignKey(BirthsTable, on_delete=models.CASCADE, related_name="counts")
    region = models.ForeignKey("territories.Region", verbose_name="région", on_delete=models.PROTECT, related_name="+")
    births = models.PositiveIntegerField("naissances")

    class Meta:
        verbose_name = "naissances d'une région"
        ordering = ["region__name"]
        constraints = [models.UniqueConstraint(fields=["table", "region"], name="unique_births_per_region")]


class Apportionment(models.Model):
    """Whole posts shared between régions in proportion to a births table (largest remainder)."""

    measure = models.ForeignKey(Measure, verbose_name="mesure", on_delete=models.PROTECT, related_name="apportionments")
    births_table = models.ForeignKey(
        BirthsTable, verbose_name="naissances", on_delete=models.PROTECT, related_name="apportionments"
    )
    total = models.PositiveIntegerField("postes à répartir")
    method = models.CharField("méthode", max_length=255, default="Plus forts restes (Hamilton)")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="calculé par", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("calculé le", auto_now_add=True)

    class Meta:
        verbose_name = "répartition"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["births_table", "total", "measure"], name="unique_apportionment")]

    def __str__(self):
        return f"{self.total} postes — naissances {self.births_table.year}"


class Allocation(models.Model):
    apportionment = models.ForeignKey(Apportionment, on_delete=models.CASCADE, related_name="allocations")
    region = models.ForeignKey("territories.Region", verbose_name="région", on_delete=models.PROTECT, related_name="+")
    births = models.PositiveIntegerField("naissances")
    quota = models.DecimalField("quota exact", max_digits=12, decimal_places=6)
    whole = models.PositiveIntegerField("partie entière")
    remainder_rank = models.PositiveSmallIntegerField("rang du reste")
    seats = models.PositiveIntegerField("postes attribués")

    class Meta:
        verbose_name = "postes d'une région"
        ordering = ["region__name"]
        constraints = [models.UniqueConstraint(fields=["apportionment", "region"], name="unique_allocation_per_region")]

    @property
    def got_extra_post(self) -> bool:
        return self.seats > self.whole


class Highlight(models.Model):
    """The "coup de cœur" of a région for one campaign year, chosen by its call manager
    among its public laureate projects, for national promotion."""

    region = models.ForeignKey("territories.Region", verbose_name="région", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("année de la campagne")
    application = models.ForeignKey(
        "calls.Application", verbose_name="projet lauréat", on_delete=models.CASCADE, related_name="highlights"
    )
    reason = models.TextField("pourquoi ce projet", blank=True, max_length=1000)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="choisi par", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    chosen_at = models.DateTimeField("choisi le", auto_now=True)

    class Meta:
        verbose_name = "coup de cœur"
        verbose_name_plural = "coups de cœur"
        ordering = ["-year", "region__name"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="one_highlight_per_region_year")]

    def __str__(self):
        return f"Coup de cœur {self.region} {self.year}"


class CoverageFigure(models.Model):
    """The registry's coverage of one département as the national dashboard shows it: a snapshot
    written by `coverage.refresh()` (scheduled job `valorisation.tasks.refresh_coverage`, and
    after a bulk or demo load), so that the dashboard reads 101 rows instead of aggregating the
    whole registry. Every row of one refresh carries the same `computed_at`, shown to readers."""

    departement = models.OneToOneField(Departement, primary_key=True, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("territories.Region", on_delete=models.CASCADE, related_name="+")
    # Reference data of the département at the time of the snapshot (sum and centre of its communes).
    population = models.BigIntegerField(default=0)
    located_communes = models.IntegerField(default=0)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    verified = models.IntegerField(default=0)
    # {"priority number": verified entries with it}; JSON keys are strings.
    verified_by_priority = models.JSONField(default=dict)
    backlog = models.IntegerField(default=0)
    oldest_submitted = models.DateTimeField(null=True)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = "couverture de l'annuaire d'un département"
        verbose_name_plural = "couverture de l'annuaire par département"

    def __str__(self):
        return f"Couverture {self.departement_id} au {self.computed_at:%d/%m/%Y %H:%M}"


class ProjectSearchText(models.Model):
    """The projetothèque's free text of one application, normalised once (tpj.core.text.normalize:
    lower case, no accents), so that the text filter is a SQL condition instead of reading
    every laureate with its partners and places: title, description, public, carrier,
    partners and places of action (`projects.search_text`). Rewritten once a change to any
    of them commits (`projects.connect`); a missing row is written before a text search."""

    application = models.OneToOneField(
        "calls.Application", primary_key=True, on_delete=models.CASCADE, related_name="project_search"
    )
    text = models.TextField()

    class Meta:
        verbose_name = "texte cherché d'un projet"
        verbose_name_plural = "textes cherchés des projets"
