"""Demo data of Module 3 (idempotent: running it twice changes nothing).

- a few deployments of the national measures, in Bretagne and Occitanie;
- a births table for the 18 régions and its apportionment of 100 posts;
- the Bretagne coup de cœur, when Module 2's demo has transmitted laureates.

THE DEMO BIRTH COUNTS BELOW ARE ILLUSTRATIVE, NOT OFFICIAL STATISTICS: rounded orders of
magnitude of births per région around 2020, typed for the demonstration. The seeds give
no births by région; import the official INSEE table through the apportionment page
before any real use.
"""

import datetime
from decimal import Decimal

from django.db import transaction

from tpj.accounts.models import User

from . import coverage, services
from .models import Apportionment, BirthsTable, Deployment, Highlight, Measure
from .projects import public_laureates

DEMO_SOURCE = "Données de démonstration — ordres de grandeur illustratifs, non officiels"
DEMO_YEAR = 2020
ILLUSTRATIVE_BIRTHS = {
    "01": 4_500,
    "02": 3_400,
    "03": 8_000,
    "04": 13_500,
    "06": 9_800,
    "11": 171_000,
    "24": 26_000,
    "27": 26_000,
    "28": 31_000,
    "32": 66_000,
    "44": 53_000,
    "52": 38_000,
    "53": 31_000,
    "75": 53_000,
    "76": 56_000,
    "84": 88_000,
    "93": 54_000,
    "94": 2_800,
}
NATIONAL = "national@demo.1000jours.fr"
MANAGERS = {"53": "ars.bretagne@demo.1000jours.fr", "76": "ars.occitanie@demo.1000jours.fr"}

# (measure slug, région, département, commune INSEE, what, carrier, date, quantity, amount)
DEPLOYMENTS = [
    ("unites-parents-bebe", "53", "35", "35238", "Unité parents-bébé de 6 lits", "CHU de Rennes", (2021, 10, 4), 1, "420000.00"),
    (
        "unites-parents-bebe",
        "76",
        "31",
        "31555",
        "Unité parents-bébé de 8 lits",
        "CHU de Toulouse",
        (2021, 11, 15),
        1,
        "510000.00",
    ),
    (
        "equipes-mobiles-psychiatrie-perinatale",
        "53",
        "29",
        "29019",
        "Équipe mobile de psychiatrie périnatale du Finistère",
        "CHRU de Brest",
        (2021, 9, 20),
        1,
        "180000.00",
    ),
    (
        "equipes-mobiles-psychiatrie-perinatale",
        "76",
        "34",
        "34172",
        "Équipe mobile de psychiatrie périnatale de l'Hérault",
        "CHU de Montpellier",
        (2021, 10, 11),
        1,
        "175000.00",
    ),
    (
        "handicap-perinatalite",
        "53",
        "22",
        "22278",
        "Dispositif d'accompagnement à la parentalité des personnes en situation de handicap",
        "Centre hospitalier de Saint-Brieuc",
        (2021, 12, 1),
        1,
        "90000.00",
    ),
    (
        "liaison-maternite-pmi",
        "53",
        "29",
        "29232",
        "Convention maternité de Quimper – PMI du Finistère",
        "Conseil départemental du Finistère",
        (2021, 7, 1),
        1,
        "0.00",
    ),
    (
        "staffs-medico-psycho-sociaux",
        "53",
        "22",
        "22278",
        "Renfort du staff médico-psycho-social : psychologue (1 ETP)",
        "Centre hospitalier de Saint-Brieuc",
        (2021, 10, 1),
        1,
        "55000.00",
    ),
    (
        "reseaux-perinatalite-prematurite",
        "76",
        "31",
        "31555",
        "Renfort du réseau périnatal Occitanie pour la généralisation de l'EPP",
        "Réseau périnatal Occitanie",
        (2021, 9, 1),
        0,
        "60000.00",
    ),
]


@transaction.atomic
def load(accounts: dict) -> None:
    national = accounts.get(NATIONAL) or User.objects.filter(email=NATIONAL).first()
    measures = {m.slug: m for m in Measure.objects.all()}
    for slug, region, departement, commune, title, carrier, day, quantity, amount in DEPLOYMENTS:
        Deployment.objects.get_or_create(
            measure=measures[slug],
            region_id=region,
            title=title,
            defaults={
                "departement_id": departement,
                "commune_id": commune,
                "carrier": carrier,
                "date": datetime.date(*day),
                "quantity": quantity,
                "amount": Decimal(amount),
                "created_by": national,
            },
        )
    table = BirthsTable.objects.filter(year=DEMO_YEAR, source=DEMO_SOURCE).first()
    if table is None and national is not None:
        table = services.import_births(
            user=national, year=DEMO_YEAR, source=DEMO_SOURCE, births=ILLUSTRATIVE_BIRTHS, filename="naissances-demo.csv"
        )
    if table is not None and national is not None and not Apportionment.objects.filter(births_table=table, total=100).exists():
        services.apportion(user=national, table=table, total=100)
    _highlights(accounts)


def _highlights(accounts: dict) -> None:
    """Each demo région's call manager picks its first public laureate, once."""
    for region, email in MANAGERS.items():
        manager = accounts.get(email)
        project = public_laureates().filter(call__region_id=region).order_by("pk").first()
        if (
            manager is None
            or project is None
            or Highlight.objects.filter(region_id=region, year=project.call.campaign.year).exists()
        ):
            continue
        services.choose_highlight(
            user=manager,
            application=project,
            reason="Un projet partenarial qui va vers les familles les plus éloignées des services.",
        )


def refresh_coverage(accounts: dict) -> None:
    """After the whole demo load (last of tpj.demo's loaders): the dashboard's registry figures
    count the demo entries at once instead of at the scheduled job's next run."""
    coverage.refresh()
