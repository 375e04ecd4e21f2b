# Per-call questions, required documents and answers (issue 18).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0009_instruction_team"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CallQuestion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("label", models.CharField(max_length=300, verbose_name="question")),
                ("help_text", models.TextField(blank=True, verbose_name="aide")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("short_text", "Texte court"),
                            ("long_text", "Texte long"),
                            ("number", "Nombre"),
                            ("amount", "Montant en euros"),
                            ("date", "Date"),
                            ("single_choice", "Choix unique"),
                            ("multiple_choice", "Choix multiples"),
                            ("yes_no", "Oui ou non"),
                            ("file", "Fichier (PDF, PNG ou JPEG)"),
                        ],
                        default="short_text",
                        max_length=20,
                        verbose_name="type de réponse",
                    ),
                ),
                ("required", models.BooleanField(default=False, verbose_name="réponse obligatoire pour déposer")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="ordre")),
                ("choices", models.JSONField(blank=True, default=list, verbose_name="choix proposés")),
                (
                    "call",
                    models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="questions", to="calls.call"),
                ),
            ],
            options={
                "verbose_name": "question de l'appel",
                "verbose_name_plural": "questions de l'appel",
                "ordering": ["position", "id"],
            },
        ),
        migrations.CreateModel(
            name="RequiredDocument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("label", models.CharField(max_length=300, verbose_name="document")),
                ("help_text", models.TextField(blank=True, verbose_name="aide")),
                ("required", models.BooleanField(default=True, verbose_name="obligatoire pour déposer")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="ordre")),
                (
                    "call",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="required_documents", to="calls.call"
                    ),
                ),
            ],
            options={
                "verbose_name": "document demandé",
                "verbose_name_plural": "documents demandés",
                "ordering": ["position", "id"],
            },
        ),
        migrations.CreateModel(
            name="ApplicationAnswer",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("text", models.TextField(blank=True, verbose_name="texte ou choix")),
                (
                    "number",
                    models.DecimalField(
                        blank=True, decimal_places=2, max_digits=12, null=True, verbose_name="nombre ou montant (€)"
                    ),
                ),
                ("date", models.DateField(blank=True, null=True, verbose_name="date")),
                ("choices", models.JSONField(blank=True, default=list, verbose_name="choix retenus")),
                ("yes", models.BooleanField(blank=True, null=True, verbose_name="oui ou non")),
                ("file", models.FileField(blank=True, upload_to="calls/answers/", verbose_name="fichier")),
                ("file_name", models.CharField(blank=True, max_length=255, verbose_name="nom du fichier déposé")),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="answers", to="calls.application"
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "question",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="answers",
                        to="calls.callquestion",
                    ),
                ),
                (
                    "document",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="answers",
                        to="calls.requireddocument",
                    ),
                ),
            ],
            options={
                "verbose_name": "réponse",
                "ordering": ["id"],
            },
        ),
        migrations.AddConstraint(
            model_name="callquestion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "kind__in",
                        [
                            "short_text",
                            "long_text",
                            "number",
                            "amount",
                            "date",
                            "single_choice",
                            "multiple_choice",
                            "yes_no",
                            "file",
                        ],
                    )
                ),
                name="call_question_kind_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="applicationanswer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("document__isnull", True), ("question__isnull", False)),
                    models.Q(("document__isnull", False), ("question__isnull", True)),
                    _connector="OR",
                ),
                name="answer_to_question_or_document",
            ),
        ),
        migrations.AddConstraint(
            model_name="applicationanswer",
            constraint=models.UniqueConstraint(
                condition=models.Q(("question__isnull", False)),
                fields=("application", "question"),
                name="one_answer_per_question",
            ),
        ),
        migrations.AddConstraint(
            model_name="applicationanswer",
            constraint=models.UniqueConstraint(
                condition=models.Q(("document__isnull", False)), fields=("application", "document"), name="one_file_per_document"
            ),
        ),
    ]
