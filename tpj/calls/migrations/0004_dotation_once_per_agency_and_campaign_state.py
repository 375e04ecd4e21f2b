"""Money counted once, and closed campaigns (issue 13 §2), part 1: the columns and the data.

- `Campaign.state` (open, closed, transmitted): only an open campaign takes a new call.
  Existing campaigns whose transmission deadline has passed and whose calls were all
  transmitted are marked transmitted; the others stay open.
- `Envelope.campaign` / `Envelope.region` repeat the call's, filled from it, so that the
  unique constraint `one_dotation_per_agency_and_campaign` holds the national dotation of an
  agency (région + agency) once per campaign. Rows that already break the rule stop the
  migration with the calls to reconcile (one of the two calls must go, by hand: its money was
  counted twice).
- 0005 makes the columns required, adds the constraint and the trigger (a migration of its
  own: PostgreSQL alters no table with row updates still pending in the same transaction).
"""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone


def mark_transmitted(apps, schema_editor):
    Campaign = apps.get_model("calls", "Campaign")
    today = timezone.localdate()
    for campaign in Campaign.objects.filter(transmission_deadline__lt=today):
        states = set(campaign.calls.values_list("state", flat=True))
        if states == {"transmitted"}:
            campaign.state = "transmitted"
            campaign.save(update_fields=["state"])


def fill_envelopes(apps, schema_editor):
    Envelope = apps.get_model("calls", "Envelope")
    seen = {}
    twice = []
    for envelope in Envelope.objects.select_related("call").order_by("call_id", "agency"):
        key = (envelope.call.campaign_id, envelope.call.region_id, envelope.agency)
        if key in seen:
            twice.append(f"calls {seen[key]} and {envelope.call_id} ({envelope.agency}, region {key[1]})")
        seen[key] = envelope.call_id
        envelope.campaign_id, envelope.region_id = key[0], key[1]
        envelope.save(update_fields=["campaign", "region"])
    if twice:
        raise RuntimeError(
            "The national dotation of an agency would be counted twice in one campaign: "
            + "; ".join(twice)
            + ". Keep one call per agency and campaign (delete the other) before migrating."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0003_envelope_guard_trigger"),
        ("territories", "0002_commune_with_territories_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="state",
            field=models.CharField(
                choices=[
                    ("open", "Ouverte — nouveaux appels possibles"),
                    ("closed", "Close — plus de nouvel appel"),
                    ("transmitted", "Listes des lauréats transmises"),
                ],
                default="open",
                max_length=12,
                verbose_name="état",
            ),
        ),
        migrations.AddConstraint(
            model_name="campaign",
            constraint=models.CheckConstraint(
                condition=models.Q(("state__in", ["open", "closed", "transmitted"])), name="campaign_state_known"
            ),
        ),
        migrations.AddField(
            model_name="envelope",
            name="campaign",
            field=models.ForeignKey(
                null=True,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="calls.campaign",
                verbose_name="campagne",
            ),
        ),
        migrations.AddField(
            model_name="envelope",
            name="region",
            field=models.ForeignKey(
                null=True,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="territories.region",
                verbose_name="région",
            ),
        ),
        migrations.RunPython(mark_transmitted, migrations.RunPython.noop),
        migrations.RunPython(fill_envelopes, migrations.RunPython.noop),
    ]
