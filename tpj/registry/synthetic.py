"""Synthetic directory for load tests: realistic spread and content, loaded in bulk.

Entries are spread over communes in proportion to their population, with a plausible
mix of categories (assistants maternels and health professionals dominate), the
category's suggested priorities plus a few others, and the eligibility situation and
reference type typical of the category. Points are jittered around the commune centre.
"""

import csv
import importlib
import random
from datetime import UTC, datetime

from django.db import connection, transaction

from tpj.nomenclatures.models import Category, EligibilitySituation, EntryKind, Priority
from tpj.territories.models import Commune

from .bulk import ENTRY_COLUMNS, PRIORITY_COLUMNS, SITUATION_COLUMNS, datetime_value, entry_row, insert_rows
from .models import Entry, EntryPriority, EntrySituation, State, build_search_text

# category slug -> (weight, kind, situation number, trusting body, body kind, reference type)
PROFILES = {
    "assistant-maternel": (300, "independant", 4, "Conseil départemental (PMI)", "collectivite", "agrement"),
    "sante": (160, "independant", 3, "CPAM", "securite_sociale", "rpps"),
    "creche": (110, "etablissement", 2, "CAF", "securite_sociale", "siret"),
    "mam": (45, "etablissement", 4, "Conseil départemental (PMI)", "collectivite", "agrement"),
    "culture": (40, "etablissement", 1, "Commune", "collectivite", "siret"),
    "sport": (40, "etablissement", 2, "Commune", "collectivite", "financement"),
    "centre-social": (30, "etablissement", 4, "CAF", "securite_sociale", "agrement"),
    "rpe": (25, "etablissement", 2, "CAF", "securite_sociale", "convention"),
    "cafes-des-parents": (25, "etablissement", 2, "CAF", "securite_sociale", "convention"),
    "laep": (20, "etablissement", 2, "CAF", "securite_sociale", "convention"),
    "maison-des-parents": (15, "etablissement", 2, "CAF", "securite_sociale", "convention"),
    "centre-pmi": (15, "etablissement", 1, "Conseil départemental", "collectivite", "finess"),
    "saad-familles": (12, "etablissement", 4, "Conseil départemental", "collectivite", "agrement"),
    "information-conseil": (10, "etablissement", 4, "ARS", "etat", "finess"),
    "groupes-de-parents": (10, "etablissement", 2, "Udaf", "collectivite", "financement"),
    "handicap": (8, "etablissement", 4, "ARS", "etat", "finess"),
    "parc-jardin": (8, "etablissement", 1, "Commune", "collectivite", "siret"),
    "maternite": (5, "etablissement", 3, "CPAM", "securite_sociale", "finess"),
    "ase": (5, "etablissement", 1, "Conseil départemental", "collectivite", "finess"),
    "jeunesse-cite-educative": (5, "etablissement", 2, "Préfecture", "etat", "financement"),
    "sapph": (3, "etablissement", 4, "ARS", "etat", "finess"),
    "relais-parental": (3, "etablissement", 2, "Conseil départemental", "collectivite", "convention"),
    "centre-parental": (2, "etablissement", 4, "Conseil départemental", "collectivite", "agrement"),
}
NAME_PREFIX = {
    "assistant-maternel": "Assistante maternelle",
    "sante": "Cabinet de sage-femme",
    "creche": "Crèche",
    "mam": "MAM",
    "culture": "Médiathèque",
    "sport": "Club sportif",
    "centre-social": "Centre social",
    "rpe": "Relais Petite Enfance",
    "cafes-des-parents": "Café des parents",
    "laep": "LAEP",
    "maison-des-parents": "Maison des familles",
    "centre-pmi": "Centre de PMI",
}
FLAVOURS = [
    "Les Lutins",
    "Les Petits Pas",
    "Arc-en-ciel",
    "Les Hirondelles",
    "Pirouette",
    "Les Câlins",
    "Le Nid",
    "Les Lucioles",
    "Trois Pommes",
    "La Ribambelle",
    "Les Canailles",
    "Coccinelle",
    "Les Minots",
    "Le Jardin d'Éveil",
    "Les P'tits Loups",
]
DESCRIPTIONS = [
    "Ateliers réguliers avec les parents et les tout-petits.",
    "Accueil et écoute des familles, sans rendez-vous.",
    "Rencontres mensuelles entre parents, animées par une professionnelle.",
    "Éveil musical et lecture pour les 0-3 ans.",
    "Accompagnement personnalisé pendant la grossesse et après la naissance.",
]


def _luhn_complete(rng, length, prefix=""):
    digits = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return digits + str((10 - total % 10) % 10)


def reference(rng, kind, departement):
    if kind == "siret":  # the SIREN part has its own key, then the whole SIRET
        return _luhn_complete(rng, 14, _luhn_complete(rng, 9) + "".join(rng.choice("0123456789") for _ in range(4)))
    if kind == "rpps":
        return _luhn_complete(rng, 11, "10")
    if kind == "finess":
        return _luhn_complete(rng, 9, departement[:2] if departement[:2].isdigit() else "20")
    return f"{kind.upper()[:3]}-{departement}-{rng.randint(1000, 99999)}"


class Generator:
    """Yields synthetic entries as plain dicts, deterministic for a seed."""

    def __init__(self, seed=1000):
        self.rng = random.Random(seed)
        communes = list(
            Commune.objects.values_list(
                "insee_code", "name", "departement_id", "region_id", "latitude", "longitude", "postal_codes", "population"
            )
        )
        self.communes = communes
        self.cum_weights = []
        total = 0
        for commune in communes:
            total += max(commune[7], 1)
            self.cum_weights.append(total)
        self.categories = {c.slug: c for c in Category.objects.prefetch_related("suggested_priorities")}
        self.kinds = {k.slug: k.pk for k in EntryKind.objects.all()}
        self.priorities = {p.number: p.pk for p in Priority.objects.all()}
        self.situations = {s.number: s.pk for s in EligibilitySituation.objects.all()}
        self.slugs = [s for s in PROFILES if s in self.categories]
        self.slug_weights = [PROFILES[s][0] for s in self.slugs]
        self.suggested = {
            slug: list(c.suggested_priorities.values_list("number", flat=True)) for slug, c in self.categories.items()
        }

    def entries(self, count):
        rng = self.rng
        communes = rng.choices(self.communes, cum_weights=self.cum_weights, k=count)
        slugs = rng.choices(self.slugs, weights=self.slug_weights, k=count)
        numbers = list(self.priorities)
        for index in range(count):
            insee, commune_name, departement, region, lat, lon, postal_codes, _ = communes[index]
            slug = slugs[index]
            _, kind, situation, body, body_kind, ref_type = PROFILES[slug]
            category = self.categories[slug]
            chosen = set(self.suggested[slug]) or {rng.choice(numbers)}
            for _ in range(rng.choice((0, 0, 1, 1, 2))):
                chosen.add(rng.choice(numbers))
            lat += rng.uniform(-0.015, 0.015)
            lon += rng.uniform(-0.02, 0.02)
            prefix, flavour = NAME_PREFIX.get(slug, category.label.split(" (")[0][:40]), rng.choice(FLAVOURS)
            name = f"{prefix} {flavour} {commune_name}"[:200]
            yield {
                "name": name,
                "prefix": prefix,
                "flavour": flavour,
                "kind_id": self.kinds[kind],
                "category_id": category.pk,
                "category_label": category.label,
                "commune_id": insee,
                "commune_name": commune_name,
                "departement_id": departement,
                "region_id": region,
                "postal_code": postal_codes.split()[0] if postal_codes else "",
                "latitude": lat,
                "longitude": lon,
                "priorities": sorted(chosen),
                "situation": situation,
                "trusting_body": f"{body} ({departement})",
                "trusting_body_kind": body_kind,
                "reference_type": ref_type,
                "reference_value": reference(rng, ref_type, departement),
                "description": rng.choice(DESCRIPTIONS),
            }

    def write_csv(self, path, count, source_prefix="SYN"):
        """A CSV in the import format (for the import benchmark)."""
        categories = {c.pk: c.slug for c in self.categories.values()}
        kinds = {pk: slug for slug, pk in self.kinds.items()}
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(
                [
                    "identifiant",
                    "nom",
                    "type",
                    "categorie",
                    "adresse",
                    "code_postal",
                    "commune",
                    "priorites",
                    "description",
                    "situation",
                    "organisme",
                    "type_organisme",
                    "type_reference",
                    "reference",
                    "email",
                    "telephone",
                    "contacts_publics",
                ]
            )
            for index, item in enumerate(self.entries(count)):
                writer.writerow(
                    [
                        f"{source_prefix}-{index}",
                        item["name"],
                        kinds[item["kind_id"]],
                        categories[item["category_id"]],
                        "",
                        item["postal_code"],
                        item["commune_id"],
                        "|".join(map(str, item["priorities"])),
                        item["description"],
                        item["situation"],
                        item["trusting_body"],
                        item["trusting_body_kind"],
                        item["reference_type"],
                        item["reference_value"],
                        "",
                        "",
                        "non",
                    ]
                )


def _restore_fts(first_id):
    """Recreate the insert trigger (migration 0003) and index the loaded rows in one pass."""
    migration = importlib.import_module("tpj.registry.migrations.0003_search_index_published_only")
    with connection.cursor() as cursor:
        cursor.execute(next(s for s in migration.SQLITE_FORWARD if "fts_ai AFTER INSERT" in s))
        cursor.execute(
            "INSERT INTO registry_entry_fts(rowid, search_text) SELECT id, search_text FROM registry_entry "
            "WHERE id >= %s AND state = 'verified' AND revision_of_id IS NULL",
            [first_id],
        )


def load_verified(count, seed=1000, batch=20_000, progress=None) -> int:
    """Insert `count` verified entries (with priorities and a situation) in bulk; return the count."""
    generator = Generator(seed)
    now = datetime_value(datetime.now(UTC))
    start = (Entry.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    entries, priorities, situations, done = [], [], [], 0
    next_id = start
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # index the text once at the end instead of row by row
            cursor.execute("DROP TRIGGER IF EXISTS registry_entry_fts_ai")

    def flush():
        with transaction.atomic():
            insert_rows(Entry._meta.db_table, ENTRY_COLUMNS, entries)
            insert_rows(EntryPriority._meta.db_table, PRIORITY_COLUMNS, priorities)
            insert_rows(EntrySituation._meta.db_table, SITUATION_COLUMNS, situations)
        entries.clear()
        priorities.clear()
        situations.clear()

    for item in generator.entries(count):
        lat, lon = item["latitude"], item["longitude"]
        entries.append(
            entry_row(
                next_id,
                kind_id=item["kind_id"],
                category_id=item["category_id"],
                name=item["name"],
                address="",
                postal_code=item["postal_code"],
                commune_id=item["commune_id"],
                departement_id=item["departement_id"],
                region_id=item["region_id"],
                latitude=lat,
                longitude=lon,
                priorities=item["priorities"],
                search_text=build_search_text(item["prefix"], item["flavour"], item["commune_name"], item["category_label"]),
                state=State.VERIFIED,
                source="synthetic",
                external_id=str(next_id),
                now=now,
            )
        )
        priorities += [(next_id, generator.priorities[n], item["description"]) for n in item["priorities"]]
        situations.append(
            (
                next_id,
                generator.situations[item["situation"]],
                item["trusting_body"],
                item["trusting_body_kind"],
                item["reference_type"],
                item["reference_value"],
                "",
                "",
                "",
            )
        )
        next_id += 1
        done += 1
        if len(entries) >= batch:
            flush()
            if progress:
                progress(done)
    if entries:
        flush()
    if connection.vendor == "sqlite":
        _restore_fts(start)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Entry, EntryPriority, EntrySituation):
                table = model._meta.db_table
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    return done
