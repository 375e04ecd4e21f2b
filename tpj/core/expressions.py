"""Query expressions shared by the apps."""

from django.db.models import ExpressionWrapper, FloatField, Func, IntegerField, Value
from django.db.models.functions import NullIf


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


class Rounded(Func):
    """`expression` rounded to `decimals` places by the database, as a float.

    Written as `ROUND(x * 10^d) / 10^d`, the float form both back-ends compute without
    going through their decimal type: on PostgreSQL the shorter numbers are also cheaper
    to send and parse than the full floats (the map's 2,000 points: 2.8 → 2.5 ms), and
    the rounding no longer costs Python a call per coordinate (1.1 ms).
    """

    output_field = FloatField()

    def __init__(self, expression, decimals: int):
        if not (isinstance(decimals, int) and 0 <= decimals <= 9):
            raise ValueError(f"Rounded expects 0 to 9 decimals, got {decimals!r}")
        scale = f"{10**decimals}.0"  # a literal of the SQL text: an int, nothing to inject
        super().__init__(expression, template=f"ROUND((%(expressions)s) * {scale}) / {scale}")


def ratio(numerator, denominator):
    """`numerator / denominator` as a float, NULL where the denominator is 0 (PostgreSQL
    would refuse the division): the mean of a sum over a count, in the database."""
    return ExpressionWrapper(numerator / NullIf(denominator, 0), output_field=FloatField())


class RowCount(Func):
    """`COUNT(*)` as the one column of a `values_list()`: the rows a queryset matches, in one
    row, where `queryset.count()` gives no queryset to read (`plain_rows.shaped_rows`).

    Not an aggregate to the ORM, so it adds no GROUP BY and the statement is the one
    `count()` runs. Grouping by a column instead (`values("state").annotate(…)`) made
    PostgreSQL read that column from the table: 327 ms for the 67,000 entries within
    10 km of Paris, which the index of their coordinates alone counts."""

    template = "COUNT(*)"
    output_field = IntegerField()
