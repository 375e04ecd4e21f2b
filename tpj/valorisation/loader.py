"""Load data/measures.json into the Measure table (used by a data migration)."""

import json
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "measures.json"
FIELDS = ("position", "title", "target_label", "target_min", "target_max", "basis", "unit", "year", "source", "description")


def load_measures(apps):
    """Create or update the national measures; `apps` is the migration app registry."""
    Measure = apps.get_model("valorisation", "Measure")
    for item in json.loads(DATA_FILE.read_text(encoding="utf-8"))["measures"]:
        defaults = {field: item[field] for field in FIELDS}
        defaults["apportioned"] = item.get("apportioned", False)
        Measure.objects.update_or_create(slug=item["slug"], defaults=defaults)
