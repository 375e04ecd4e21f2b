import math

from django.db import models
from django.db.models import Q

from tpj.core.text import normalize


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=2, primary_key=True)
    name = models.CharField("nom", max_length=100)
    chef_lieu = models.CharField("chef-lieu (code INSEE)", max_length=5)
    zone = models.CharField("zone", max_length=5, choices=[("metro", "Métropole"), ("drom", "Outre-mer")])

    class Meta:
        verbose_name = "région"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Departement(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, verbose_name="région", on_delete=models.PROTECT, related_name="departements")
    chef_lieu = models.CharField("chef-lieu (code INSEE)", max_length=5)
    zone = models.CharField("zone", max_length=5)

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class CommuneQuerySet(models.QuerySet):
    def search(self, query: str):
        """Communes matching a name or postal code prefix, accent-, case- and "st"-insensitive.

        Exact names first, then the most populated.
        """
        query = (query or "").replace("\x00", "").strip()[:100]  # NUL: PostgreSQL refuses it; 100: bounds the LIKE pattern
        if not query:
            return self.none()
        if query.isdigit():
            if len(query) == 5:
                hits = self.filter(Q(postal_codes__contains=query) | Q(insee_code=query))
            else:
                hits = self.filter(Q(postal_codes__startswith=query) | Q(postal_codes__contains=f" {query}"))
            return hits.order_by("-population")
        needle = normalize(query)
        if not needle:
            return self.none()
        hits = self.filter(Q(search_name__startswith=needle) | Q(search_name__contains=f" {needle}"))
        return hits.annotate(
            exact=models.Case(models.When(search_name=needle, then=1), default=0, output_field=models.IntegerField())
        ).order_by("-exact", "-population")

    def resolve(self, value: str):
        """The commune a user means by `value`: an INSEE code, a postal code or a name.

        Returns `(commune, "")`, or `(None, French message)` when nothing or several
        communes match (the message lists them, with their codes, so the user can choose).
        """
        value = (value or "").replace("\x00", "").strip()[:100]
        if not value:
            return None, ""
        by_code = self.filter(insee_code=value).first()
        if by_code:
            return by_code, ""
        if value.isdigit():
            candidates = list(self.filter(Q(postal_codes__contains=value)).order_by("-population")[:6])
            candidates = [c for c in candidates if c.has_postal_code(value)]
        else:
            candidates = list(self.filter(search_name=normalize(value)).select_related("departement").order_by("-population")[:6])
        if len(candidates) == 1:
            return candidates[0], ""
        if not candidates:
            return None, f"Commune inconnue : « {value[:50]} » (nom, code postal ou code INSEE)."
        listed = ", ".join(f"{c.name} ({c.departement_id}) : {c.insee_code}" for c in candidates[:5])
        return None, f"Plusieurs communes correspondent à « {value[:50]} » : précisez le code INSEE ({listed})."


class Commune(models.Model):
    insee_code = models.CharField("code INSEE", max_length=5, primary_key=True)
    name = models.CharField("nom", max_length=100)
    search_name = models.CharField(max_length=100, db_index=True, editable=False)
    departement = models.ForeignKey(Departement, verbose_name="département", on_delete=models.PROTECT, related_name="communes")
    # Denormalised from the département for fast filtering by région.
    region = models.ForeignKey(Region, verbose_name="région", on_delete=models.PROTECT, related_name="communes")
    postal_codes = models.CharField("codes postaux", max_length=200, help_text="séparés par des espaces")
    population = models.PositiveIntegerField("population", default=0)
    siren = models.CharField("SIREN", max_length=9, blank=True)
    latitude = models.FloatField("latitude")
    longitude = models.FloatField("longitude")

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = "commune"
        ordering = ["name"]
        constraints = [
            # What a registry entry's (commune, département, région) refers to, on PostgreSQL
            # (registry migration 0010): one foreign key keeps the three consistent.
            models.UniqueConstraint(fields=["insee_code", "departement", "region"], name="territories_commune_with_territories"),
        ]

    def __str__(self):
        return f"{self.name} ({self.departement_id})"

    def save(self, *args, **kwargs):
        self.search_name = normalize(self.name)
        super().save(*args, **kwargs)

    @property
    def postal_code_list(self) -> list[str]:
        return self.postal_codes.split()

    @property
    def label(self) -> str:
        return f"{self.name} ({', '.join(self.postal_code_list[:3])})"

    def has_postal_code(self, postal_code: str) -> bool:
        return postal_code.strip() in self.postal_code_list


EARTH_RADIUS_KM = 6371.0


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))
