from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0012_entry_yearly_review"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="chunk_size",
            field=models.PositiveIntegerField(default=20000, verbose_name="lignes par transaction"),
        ),
        migrations.AddField(
            model_name="importjob",
            name="claim_token",
            field=models.UUIDField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="importjob",
            name="claimed_until",
            field=models.DateTimeField(blank=True, null=True, verbose_name="réservé jusqu'à"),
        ),
        migrations.AddField(
            model_name="importjob",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="reprises sans avancée"),
        ),
        migrations.AddField(
            model_name="importjob",
            name="finished_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="importjob",
            index=models.Index(fields=["status", "claimed_until"], name="registry_importjob_waiting"),
        ),
    ]
