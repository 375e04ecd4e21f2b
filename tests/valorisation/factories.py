import datetime
from decimal import Decimal

import factory

from tpj.valorisation.models import Deployment, Measure


def measure(slug: str) -> Measure:
    return Measure.objects.get(slug=slug)


class DeploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deployment

    measure = factory.LazyFunction(lambda: measure("unites-parents-bebe"))
    region_id = "53"
    title = factory.Sequence(lambda n: f"Unité parents-bébé n° {n}")
    date = datetime.date(2021, 9, 1)
    quantity = 1
    amount = Decimal("150000.00")


def births_csv(counts: dict[str, int], *, encoding="utf-8", header="region;naissances") -> bytes:
    return ("\n".join([header, *(f"{code};{n}" for code, n in counts.items())]) + "\n").encode(encoding)


# Illustrative counts (not official figures), one per région.
BIRTHS = {"01": 4500, "02": 3200, "03": 8000, "04": 13500, "06": 10000, "11": 170000, "24": 25000, "27": 26000,
          "28": 31000, "32": 63000, "44": 54000, "52": 38000, "53": 30000, "75": 55000, "76": 58000, "84": 85000,
          "93": 54000, "94": 2700}
