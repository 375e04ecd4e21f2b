"""What the URLs are made of, read from a loaded registry (run in a child process on its
database: `DATABASE_URL=… python -m scripts.loadtest.sample`, prints one `RESULT {json}` line).

Territories with entries and their real bounding boxes, the most populated communes, words
that occur in published entries' names, published entry ids, and the nomenclatures' codes."""

import json
import os
import random
import re

SAMPLE_ENTRIES = 3000
BIG_COMMUNES = 400
_WORD = re.compile(r"[^\W\d_]{4,}")


def read_sample() -> dict:
    """The sample as plain data (lists and dicts), for `mix.build`."""
    from django.db.models import Max, Min

    from tpj.nomenclatures.models import Category, EntryKind, Priority
    from tpj.registry.models import Entry
    from tpj.territories.models import Commune

    published = Entry.objects.published()
    last = published.order_by("-id").values_list("id", flat=True).first() or 0
    rng = random.Random(16)
    # Ids drawn over the whole range, then kept if published: no ORDER BY random() over 1M rows.
    candidates = sorted({rng.randint(1, last) for _ in range(SAMPLE_ENTRIES * 2)}) if last else []
    rows = list(published.filter(id__in=candidates).values_list("id", "name")[:SAMPLE_ENTRIES])
    words = sorted({word.lower() for _, name in rows for word in _WORD.findall(name)})

    def boxes(field):
        extent = (
            Commune.objects.values(field)
            .annotate(south=Min("latitude"), north=Max("latitude"), west=Min("longitude"), east=Max("longitude"))
            .order_by(field)
        )
        return [{"code": row[field], "box": [row["west"], row["south"], row["east"], row["north"]]} for row in extent]

    with_entries = set(published.values_list("departement_id", flat=True).distinct())
    departements = [d for d in boxes("departement_id") if d["code"] in with_entries]
    regions_with = set(published.values_list("region_id", flat=True).distinct())
    regions = [r for r in boxes("region_id") if r["code"] in regions_with]
    communes = [
        {"insee": c[0], "name": c[1], "departement": c[2], "region": c[3], "lat": c[4], "lon": c[5]}
        for c in Commune.objects.filter(departement_id__in=with_entries)
        .order_by("-population")
        .values_list("insee_code", "name", "departement_id", "region_id", "latitude", "longitude")[:BIG_COMMUNES]
    ]
    return {
        "entry_ids": [pk for pk, _ in rows],
        "words": words,
        "regions": regions,
        "departements": departements,
        "communes": communes,
        "categories": list(Category.objects.values_list("slug", flat=True)),
        "kinds": list(EntryKind.objects.values_list("slug", flat=True)),
        "priorities": list(Priority.objects.values_list("number", flat=True)),
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    print("RESULT " + json.dumps(read_sample()), flush=True)


if __name__ == "__main__":
    main()
