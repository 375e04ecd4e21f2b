"""A queryset's rows as the database driver returns them, for the hot public reads, and the
statements behind them built by the ORM once per shape."""

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model


def plain_rows(queryset) -> list[tuple]:
    """The rows of a `values_list()` queryset, fetched at once and left as the driver
    returns them.

    The ORM's own iteration reads 100 rows per round and passes every value through its
    field converters: on the map's 2,000 points, 1.5 ms above the 3 ms of the statement.
    The statement is still the one the ORM builds, so every rule of the queryset holds.
    Only for columns the driver already returns as their Python value on both back-ends
    (integers, floats, text): a boolean, a decimal or a date read from SQLite would need
    the converters this skips."""
    try:
        sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:  # a filter that matches nothing by construction (`id__in=[]`)
        return []
    return _fetch(queryset.db, sql, params)


def _fetch(alias: str, sql: str, params) -> list[tuple]:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# (database, shape, value types) -> (SQL, for each parameter the index of the value it
# takes or None, the parameters as built with the markers), or None: not reusable.
_statements: dict = {}

# A list of ids is a shape per length: beyond this many values (an API page of 500), the
# statement is built each time, so that a worker keeps at most a few hundred statements.
MAX_SHAPED_VALUES = 100

# Each shape a client can ask for (page sizes and numbers, combinations of filters) is a
# statement kept: beyond this many, a new shape is built each time instead of kept, so that
# a worker's memory stays bounded whatever the requests (about 2 KB per statement).
MAX_STATEMENTS = 5_000
_UNSEEN = object()

# Markers stand for the values while the ORM builds a shape's statement: in range of every
# integer column (Django turns a value out of a column's range into an empty result), and
# unlike any constant of the registry's statements (0, 1, 100 000…).
_MARKER_BASE = 31_000


def _is_parameter_value(value) -> bool:
    """A value bound as a parameter of its own: an integer (psycopg's Int2 included), a float
    or a text; not a boolean, None or a model instance."""
    return isinstance(value, int | float | str) and not isinstance(value, bool)


def _marker(value, index: int):
    """What stands for `value` while the ORM builds the statement, or None when the value
    itself is part of the shape (None, a boolean, 0 or "": values whose mere presence can
    decide the statement's form, as `if value:` does)."""
    if isinstance(value, Model):
        marker = _marker(value.pk, index)
        return None if marker is None else type(value)(pk=marker)
    if not _is_parameter_value(value) or not value:
        return None
    if isinstance(value, int):
        return _MARKER_BASE + index
    # Shaped to change under the usual transformations, so that a value transformed by
    # `build` is seen as such: rounding (the decimals), case and spaces (the text).
    if isinstance(value, float):
        return _MARKER_BASE + index + 0.123456789
    return f" \ue000Mk{index} "  # a private-use character: in no code, name or token


def _bound(value):
    return value.pk if isinstance(value, Model) else value


def shaped_rows(shape, build, values: tuple, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
    """`plain_rows(build(*values))`, the ORM building the statement once per `shape`.

    Building and compiling a statement costs the ORM 0.4 to 0.9 ms, as much as the
    statement itself on the map. The first call of a shape builds it with markers in place
    of `values` and records where each one lands among the parameters; later calls bind
    their own values there. `build` must use each value as it is, as a filter's value
    (integers, floats, text, model instances for their key), once or more; None, booleans,
    0 and "" are part of the shape, and `shape` names everything else the statement depends
    on. A statement where a marker is not found among the parameters (a value transformed,
    written into the SQL text, or deciding the statement's form) is built by the ORM on
    every call instead; the markers are shaped so that rounding, case and spaces change
    them. Not seen: a transformation that leaves a marker as it is (`abs()` of a positive
    integer), and a value used as it is in one place and transformed in another (compute
    such a value beside the call and pass it as a value of its own, as
    `filters.near_values` does). Keep `build` next to its call, taking values as they are
    (the call sites are held to the ORM's answers by `tests/registry/test_map.py` and
    `tests/registry/test_search.py`)."""
    if len(values) > MAX_SHAPED_VALUES:
        return plain_rows(build(*values))
    markers = [_marker(value, index) for index, value in enumerate(values)]
    shape_values = tuple(
        (type(value), None if marker is not None else _bound(value)) for value, marker in zip(values, markers, strict=True)
    )
    key = (using, shape, shape_values)
    recorded = _statements.get(key, _UNSEEN)
    if recorded is _UNSEEN:
        recorded = _recorded(build, values, markers, using)
        if len(_statements) < MAX_STATEMENTS:
            _statements[key] = recorded
    if recorded is None:
        return plain_rows(build(*values))
    sql, slots, built = recorded
    # Bound as the ORM bound the marker: PostgreSQL's small integers are wrapped (psycopg's Int2).
    bound = [built[i] if slot is None else type(built[i])(_bound(values[slot])) for i, slot in enumerate(slots)]
    return _fetch(using, sql, bound)


def _recorded(build, values: tuple, markers: list, using: str):
    queryset = build(*(value if marker is None else marker for value, marker in zip(values, markers, strict=True))).using(using)
    try:
        sql, params = queryset.query.get_compiler(using=using).as_sql()
    except EmptyResultSet:
        return None
    slot_of = {_bound(marker): index for index, marker in enumerate(markers) if marker is not None}
    slots = [slot_of.get(param) if _is_parameter_value(param) else None for param in params]
    # A value may be bound more than once (a distance in the filter and in the order).
    if {slot for slot in slots if slot is not None} != set(slot_of.values()):
        return None  # a value transformed, written into the text or missing
    return sql, slots, list(params)
