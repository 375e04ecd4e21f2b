"""The call's checklist text and the application's ticks move to the instruction checklist
(ChecklistItem, ChecklistTick of 0009) before their old fields go: nothing a manager wrote or
ticked is lost. The old default points are the new default points, under their new names."""

from django.db import migrations

# The old default points (one per line of Call.checklist) → the points of DEFAULT_CHECKLIST.
RENAMED = {
    "Dossier complet": "Pièces complètes",
    "Budget équilibré et cohérent": "Budget équilibré",
}
NEW_DEFAULTS = {
    "Pièces complètes",
    "Porteur éligible (SIRET)",
    "Lieux d'action dans la région",
    "Budget équilibré",
    "Rattachement à un axe",
}


def move_checklists(apps, schema_editor):
    Call = apps.get_model("calls", "Call")
    Application = apps.get_model("calls", "Application")
    ChecklistItem = apps.get_model("calls", "ChecklistItem")
    ChecklistTick = apps.get_model("calls", "ChecklistTick")
    for call in Call.objects.all().iterator():
        lines = [line.strip()[:200] for line in (call.checklist or "").splitlines() if line.strip()]
        for label in lines:
            if label in NEW_DEFAULTS or label in RENAMED:
                continue
            # (the old defaults that have no new name stay, as the call's own points)
            ChecklistItem.objects.get_or_create(call=call, label=label, defaults={"added_by_id": call.created_by_id})
    for app in Application.objects.exclude(checklist={}).select_related("call").iterator():
        for label, ticked in (app.checklist or {}).items():
            label = RENAMED.get(str(label).strip(), str(label).strip())[:200]
            if label and ticked:
                ChecklistTick.objects.get_or_create(
                    application=app,
                    label=label,
                    defaults={"ticked": True, "changed_by_id": app.call.created_by_id, "changed_at": app.updated_at},
                )


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0011_conventions"),
    ]

    operations = [
        migrations.RunPython(move_checklists, migrations.RunPython.noop),
        migrations.RemoveField(model_name="application", name="checklist"),
        migrations.RemoveField(model_name="call", name="checklist"),
    ]
