"""Load data/nomenclatures.json into the nomenclature tables (used by a data migration)."""

import json
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "nomenclatures.json"


def load_nomenclatures(apps):
    """Create or update every nomenclature value; `apps` is the migration app registry."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    get = lambda name: apps.get_model("nomenclatures", name)  # noqa: E731
    Priority = get("Priority")
    for number, label, short_label, description in data["priorities"]:
        Priority.objects.update_or_create(
            number=number, defaults={"label": label, "short_label": short_label, "description": description}
        )
    for number, label in data["axes"]:
        get("Axis").objects.update_or_create(number=number, defaults={"label": label})
    for number, label, examples in data["eligibility_situations"]:
        get("EligibilitySituation").objects.update_or_create(number=number, defaults={"label": label, "examples": examples})
    for slug, label in data["entry_kinds"]:
        get("EntryKind").objects.update_or_create(slug=slug, defaults={"label": label})
    for position, (slug, label, suggested, orientation) in enumerate(data["categories"]):
        category, _ = get("Category").objects.update_or_create(
            slug=slug, defaults={"label": label, "position": position, "parent_orientation": orientation}
        )
        category.suggested_priorities.set(Priority.objects.filter(number__in=suggested))
    for position, (slug, label, agency) in enumerate(data["funding_sources"]):
        get("FundingSource").objects.update_or_create(
            slug=slug, defaults={"label": label, "agency": agency, "position": position}
        )
    for number, label in data["training_themes"]:
        get("TrainingTheme").objects.update_or_create(number=number, defaults={"label": label})
