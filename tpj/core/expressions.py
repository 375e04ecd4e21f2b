"""Query expressions shared by the apps."""

from django.db.models import Value


class SQLConstant(Value):
    """A constant written into the SQL text instead of being bound as a parameter.

    SQLite uses a partial index only when the query's own text implies the index's
    condition: `state = 'verified'` does, `state = ?` does not. Only plain identifiers
    (the values of a TextChoices) are accepted, so nothing can be injected.
    """

    def __init__(self, value: str, output_field=None):
        if not (isinstance(value, str) and value.isidentifier()):
            raise ValueError(f"SQLConstant expects an identifier-like string, got {value!r}")
        super().__init__(value, output_field=output_field)

    def as_sql(self, compiler, connection):
        return f"'{self.value}'", []
