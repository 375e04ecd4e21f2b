"""Precomputed map counts of published entries (maintained by `aggregates`)."""

from django.db import models


class MapAggregate(models.Model):
    """Precomputed counts of published entries for the map at national scale.

    One row per (level, cell, département, category, kind, priority); `priority` 0
    counts each entry once whatever its priorities. Level "D" groups by département
    (région counts sum its rows), levels "C" and "F" by grid cell (grid.py).
    """

    level = models.CharField(max_length=1)
    cell = models.IntegerField(default=0)
    departement = models.ForeignKey("territories.Departement", on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("territories.Region", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("nomenclatures.Category", on_delete=models.CASCADE, related_name="+")
    kind = models.ForeignKey("nomenclatures.EntryKind", on_delete=models.CASCADE, related_name="+")
    # Priority number, 0 for "any priority" (each entry counted once).
    priority = models.PositiveSmallIntegerField(default=0)
    count = models.IntegerField(default=0)
    lat_sum = models.FloatField(default=0)
    lon_sum = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["level", "cell", "departement", "category", "kind", "priority"], name="registry_mapagg_key"
            ),
        ]
        indexes = [models.Index(fields=["level", "priority", "cell"], name="registry_mapagg_cell")]
