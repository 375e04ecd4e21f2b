"""Raw SQL in migrations that differs by database back-end (full-text indexes, triggers)."""


def sql_by_vendor(statements_by_vendor: dict[str, list[str]]):
    """A `RunPython` function executing the statements listed for the connection's vendor
    ("sqlite", "postgresql"); nothing for a vendor not listed."""

    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run
