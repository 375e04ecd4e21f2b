"""Territorial scope of a role: national, some régions, or some départements."""

from dataclasses import dataclass, field

from django.db.models import Q


@dataclass(frozen=True)
class Scope:
    national: bool = False
    regions: frozenset = field(default_factory=frozenset)
    departements: frozenset = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not (self.national or self.regions or self.departements)

    def covers(self, *, region: str | None = None, departement: str | None = None) -> bool:
        """True when the territory (a région, or a département with its région) is in scope."""
        if self.national:
            return True
        if departement is not None and departement in self.departements:
            return True
        return region is not None and region in self.regions

    def covers_region_wholly(self, region: str) -> bool:
        return self.national or region in self.regions

    def filter(self, queryset, *, region_field: str = "region", departement_field: str | None = "departement"):
        """Restrict `queryset` to objects in scope (via the given field paths)."""
        if self.national:
            return queryset
        condition = Q(**{f"{region_field}__in": self.regions}) if self.regions else Q(pk__in=[])
        if departement_field and self.departements:
            condition |= Q(**{f"{departement_field}__in": self.departements})
        return queryset.filter(condition)

    def union(self, other: "Scope") -> "Scope":
        return Scope(
            national=self.national or other.national,
            regions=self.regions | other.regions,
            departements=self.departements | other.departements,
        )


NO_SCOPE = Scope()
