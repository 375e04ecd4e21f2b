"""The free-text search of the training catalogue through an index (issue 20's benchmark).

The search looks for every word of the query inside the offers' normalised text
(`Offer.search_text`, `LIKE '%word%'`), which scanned every offer's text.

- SQLite: an FTS5 external-content table with the trigram tokenizer, which finds any substring
  of 3 characters or more (tpj/training/search.py matches the words of 3+ characters there),
  kept in sync by triggers. One update trigger deletes the old text then inserts the new one: two
  triggers would run in the reverse order of their creation (see registry migration 0005).
- PostgreSQL: pg_trgm and a GIN trigram index on the text, which serves `LIKE '%word%'` for
  words of 3+ characters as it stands.

And two indexes of the sessions (tpj/training/models/offers.py says why): the département index
ends with `published` (the map's grouping by département read from the index alone on SQLite),
and the remote sessions have their own (« around a commune, or remote »). The sessions are
analysed again so that the planners weigh the new indexes at once.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from tpj.core.migration_sql import sql_by_vendor

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE training_offer_fts USING fts5("
    "search_text, content='training_offer', content_rowid='id', tokenize='trigram')",
    "INSERT INTO training_offer_fts(training_offer_fts) VALUES ('rebuild')",
    """CREATE TRIGGER training_offer_fts_ai AFTER INSERT ON training_offer BEGIN
         INSERT INTO training_offer_fts(rowid, search_text) VALUES (new.id, new.search_text); END""",
    """CREATE TRIGGER training_offer_fts_ad AFTER DELETE ON training_offer BEGIN
         INSERT INTO training_offer_fts(training_offer_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END""",
    """CREATE TRIGGER training_offer_fts_au AFTER UPDATE OF search_text ON training_offer BEGIN
         INSERT INTO training_offer_fts(training_offer_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
         INSERT INTO training_offer_fts(rowid, search_text) VALUES (new.id, new.search_text); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS training_offer_fts_au",
    "DROP TRIGGER IF EXISTS training_offer_fts_ad",
    "DROP TRIGGER IF EXISTS training_offer_fts_ai",
    "DROP TABLE IF EXISTS training_offer_fts",
]
POSTGRES_FORWARD = ["CREATE INDEX training_offer_search_trgm ON training_offer USING gin (search_text gin_trgm_ops)"]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS training_offer_search_trgm"]
ANALYZE = ["ANALYZE training_session"]


class KeptTrigramExtension(TrigramExtension):
    """pg_trgm, created on PostgreSQL only (Django's operation does nothing elsewhere) and kept
    when the migration is unapplied: its reverse would query PostgreSQL's catalogue on any
    back-end, and other indexes may use the extension (the registry's migrations create it too)."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


class Migration(migrations.Migration):
    dependencies = [("training", "0003_search_layout")]

    operations = [
        KeptTrigramExtension(),
        migrations.RunPython(
            sql_by_vendor({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            sql_by_vendor({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
        migrations.RemoveIndex(model_name="session", name="training_session_departement"),
        migrations.AddIndex(
            model_name="session",
            index=models.Index(
                condition=models.Q(("published", True)),
                fields=[
                    "departement",
                    "start_date",
                    "id",
                    "end_date",
                    "theme_bits",
                    "audience_bits",
                    "funding_bits",
                    "offer",
                    "published",
                ],
                name="training_session_departement",
            ),
        ),
        migrations.AddIndex(
            model_name="session",
            index=models.Index(
                condition=models.Q(("is_remote", True), ("published", True)),
                fields=["start_date", "id", "end_date", "theme_bits", "audience_bits", "funding_bits", "offer"],
                name="training_session_remote",
            ),
        ),
        migrations.RunPython(sql_by_vendor({"sqlite": ANALYZE, "postgresql": ANALYZE}), migrations.RunPython.noop),
    ]
