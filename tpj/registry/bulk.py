"""Bulk writes for imports and load tests: plain tuples, no model instances.

SQLite: `executemany` of several rows per INSERT (writes are serialised by the IMMEDIATE
transactions, so ids taken after MAX(id) are safe); PostgreSQL: binary `COPY` and ids
reserved from the sequence.

An import's rows can also come already encoded for PostgreSQL's binary `COPY`, all but
their id (`rest_encoder`): the process checking the rows ahead does that work, and the
process writing them only puts each id in front (`insert_identified`).
"""

import functools
import itertools
import os
import struct
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from psycopg import pq
from psycopg.adapt import Dumper
from psycopg.postgres import types as postgres_types

from . import grid
from .models import Entry, GeocodingPrecision, State, filter_tokens, priority_mask


def insert_rows(table: str, columns: list[str], rows: list[tuple]) -> None:
    """Insert plain tuples (`columns` order) into `table`, in the caller's transaction."""
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy_postgres(cursor, table, columns, rows)
        else:
            _insert_sqlite(cursor, table, columns, rows)


def insert_identified(table: str, columns: list[str], rows: list[tuple[int, tuple | bytes]]) -> None:
    """Insert (id, rest) pairs into `table`, in the caller's transaction: `columns[0]` takes
    the id, the others the rest, given either as a tuple of values or as a `rest_encoder`
    encoded it (every pair of a call in the same form)."""
    if rows and isinstance(rows[0][1], bytes):
        with connection.cursor() as cursor:
            _copy_encoded(cursor, table, columns, rows)
    else:
        insert_rows(table, columns, [(pk, *rest) for pk, rest in rows])


# PostgreSQL's binary type of each column the bulk writers fill (text for the others).
# Binary COPY sends numbers, dates and uuids as the server stores them: per 20,000 entries,
# 0.05 s of client CPU instead of 0.19 s with text COPY, and a third less on the server,
# which no longer parses them.
_BINARY_TYPES = {
    "id": "int8",
    "entry_id": "int8",
    "kind_id": "int8",
    "category_id": "int8",
    "priority_id": "int8",
    "situation_id": "int8",
    "revision_of_id": "int8",
    "latitude": "float8",
    "longitude": "float8",
    "cell_coarse": "int4",
    "cell_fine": "int4",
    "priority_mask": "int4",
    "public_id": "uuid",
    "is_public": "bool",
    "created_at": "timestamptz",
    "updated_at": "timestamptz",
    "submitted_at": "timestamptz",
    "verified_at": "timestamptz",
}


class _UUIDBytesDumper(Dumper):
    """A uuid given as its 16 bytes (`public_id_value`), sent as they are."""

    format = pq.Format.BINARY
    oid = postgres_types["uuid"].oid

    def dump(self, obj):
        return obj


def _copy_statement(table: str, columns: list[str]) -> str:
    return f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"


def _copy_postgres(cursor, table: str, columns: list[str], rows: list[tuple]) -> None:
    raw = cursor.cursor
    if "public_id" in columns:
        raw.adapters.register_dumper(None, _UUIDBytesDumper)  # this cursor's COPY only
    with raw.copy(_copy_statement(table, columns)) as copy:
        copy.set_types([_BINARY_TYPES.get(column, "text") for column in columns])
        write_row = copy.write_row
        for row in rows:
            write_row(row)


# PostgreSQL's binary COPY format (« Binary Format » in the documentation of COPY): a
# signature, then per row its number of fields and each field as its length and bytes (-1:
# NULL), then -1 as the end. Texts go as their UTF-8 bytes, as varchar's binary input reads them.
_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # no flags, no header extension
_COPY_TRAILER = b"\xff\xff"
_NULL = b"\xff\xff\xff\xff"
_POSTGRES_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # timestamps: microseconds since then
_MICROSECOND = timedelta(microseconds=1)
_INT8, _INT4, _FLOAT8, _LENGTH = struct.Struct(">iq"), struct.Struct(">ii"), struct.Struct(">id"), struct.Struct(">i")
_ROW_START = struct.Struct(">hiq")  # number of fields, then the id as an int8 field


def _text(value: str) -> bytes:
    data = value.encode()
    return _LENGTH.pack(len(data)) + data


@functools.lru_cache(maxsize=16)  # an import's rows share the same few instants
def _timestamp(value: datetime) -> bytes:
    return _INT8.pack(8, (value - _POSTGRES_EPOCH) // _MICROSECOND)


_ENCODERS = {
    "int8": lambda value: _INT8.pack(8, value),
    "int4": lambda value: _INT4.pack(4, value),
    "float8": lambda value: _FLOAT8.pack(8, value),
    "bool": lambda value: b"\x00\x00\x00\x01\x01" if value else b"\x00\x00\x00\x01\x00",
    "uuid": lambda value: b"\x00\x00\x00\x10" + value,  # its 16 bytes (`public_id_value`)
    "timestamptz": _timestamp,
    "text": _text,
}


def rest_encoder(columns: list[str]) -> Callable[[tuple], bytes]:
    """A function encoding for binary COPY a row's values but its id (`columns[1:]`, in
    order); made once per table, then called for each row. Checking processes use it for
    PostgreSQL only (`copies_encoded_rows`)."""
    encoders = tuple(_ENCODERS[_BINARY_TYPES.get(column, "text")] for column in columns[1:])

    def encode_rest(rest: tuple) -> bytes:
        return b"".join(_NULL if value is None else encode(value) for encode, value in zip(encoders, rest, strict=True))

    return encode_rest


def copies_encoded_rows() -> bool:
    """Whether `insert_identified` can take rows encoded by a `rest_encoder` (PostgreSQL)."""
    return _postgres()


def _copy_encoded(cursor, table: str, columns: list[str], rows: list[tuple[int, bytes]]) -> None:
    data = bytearray(_COPY_SIGNATURE)
    start = _ROW_START.pack
    fields = len(columns)
    for pk, rest in rows:
        data += start(fields, 8, pk)
        data += rest
    data += _COPY_TRAILER
    with cursor.cursor.copy(_copy_statement(table, columns)) as copy:
        copy.write(data)


def _insert_sqlite(cursor, table: str, columns: list[str], rows: list[tuple]) -> None:
    """As many rows per INSERT as a statement's parameters allow: a quarter less CPU than
    one statement per row (measured on the import's entries)."""
    per_statement = max(1, connection.features.max_query_params // len(columns))
    one = f"({', '.join(['%s'] * len(columns))})"
    insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    whole = len(rows) - len(rows) % per_statement
    if whole:
        cursor.executemany(
            insert + ", ".join([one] * per_statement),
            [list(itertools.chain.from_iterable(rows[i : i + per_statement])) for i in range(0, whole, per_statement)],
        )
    if whole < len(rows):
        cursor.execute(insert + ", ".join([one] * (len(rows) - whole)), list(itertools.chain.from_iterable(rows[whole:])))


def known_external_ids(source: str, external_ids: list[str]) -> set[str]:
    """The identifiers among `external_ids` already imported from `source`.

    The literal `external_id <> ''` lets SQLite use the partial unique index on (source,
    external id); PostgreSQL gets the list as one array (20,000 placeholders cost it 0.2 s
    per chunk to parse and plan)."""
    if not external_ids:
        return set()
    table = Entry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT external_id FROM {table} WHERE import_source = %s AND NOT (external_id = '') AND external_id = ANY(%s)",
                [source, external_ids],
            )
        else:
            placeholders = ", ".join(["%s"] * len(external_ids))
            cursor.execute(
                f"SELECT external_id FROM {table} WHERE import_source = %s AND NOT (external_id = '') "
                f"AND external_id IN ({placeholders})",
                [source, *external_ids],
            )
        return {row[0] for row in cursor.fetchall()}


def source_has_entries(source: str) -> bool:
    """True when an entry was imported from `source` (through the same partial unique
    index as `known_external_ids`)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {Entry._meta.db_table} WHERE import_source = %s AND NOT (external_id = '') LIMIT 1", [source]
        )
        return cursor.fetchone() is not None


def tidy_after_import() -> None:
    """PostgreSQL, after an import: refresh the planner's view of the states, and set the
    visibility map back where the import cleared it.

    Statistics: autovacuum waits for 10 % of the table to change; 100,000 entries imported
    into a million left it planning the moderation queue for an empty state (650 ms a page
    instead of 17). A small sample of the state and submission-date columns is enough and
    takes about 20 ms (the whole table's statistics: 1.2 s). SQLite keeps its statistics:
    they hold average rows per index key, which an import barely moves, and a sampled
    ANALYZE (`analysis_limit`) replaced them with figures that sent map queries through
    the moderation index.

    Visibility: imported rows fill the free space left in pages of published entries
    (47,000 of 119,000 pages for 100,000 rows into a million), whose index-only scans then
    read the table again ("near a commune" p95 100 ms instead of 25) until a VACUUM, which
    autovacuum starts only after 20 % of the table is new. The VACUUM reads only those
    pages: 0.5 s here. It cannot run inside a transaction, so an import driven by web
    requests (the admin page) leaves it to autovacuum."""
    if connection.vendor != "postgresql":
        return
    table = Entry._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL default_statistics_target = 10")
        cursor.execute(f"ANALYZE {table} (state, submitted_at)")
    if not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {table}")


def reserve_ids(model, count: int) -> list[int]:
    """`count` fresh primary keys for `model` (call inside the transaction that inserts them)."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [count])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def _time_ordered_uuid_int() -> int:
    """A random UUID (as an integer) whose first 48 bits are the time in milliseconds (the
    layout of UUID version 7): rows inserted together sit side by side in the unique index."""
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    return (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant


@functools.cache
def _postgres() -> bool:  # asked once per row: the connection proxy's lookup is not free
    return connection.vendor == "postgresql"


def public_id_value():
    """A new public id (`_time_ordered_uuid_int`) as the bulk writers send it: its 16 bytes to
    PostgreSQL (binary COPY), its 32 hex digits to SQLite (as Django stores it there).
    Not a uuid.UUID: building one, and pickling it to the writing process, cost 0.7 s per
    100,000 rows."""
    value = _time_ordered_uuid_int().to_bytes(16, "big")
    return value if _postgres() else value.hex()


def datetime_value(value):
    """An aware datetime as the back-end expects it in a raw statement."""
    if connection.vendor == "postgresql":
        return value
    return connection.ops.adapt_datetimefield_value(value)


ENTRY_COLUMNS = [
    "id",
    "kind_id",
    "category_id",
    "name",
    "address",
    "postal_code",
    "commune_id",
    "departement_id",
    "region_id",
    "latitude",
    "longitude",
    "geocoding_precision",
    "cell_coarse",
    "cell_fine",
    "priority_mask",
    "website",
    "state",
    "decision_reason",
    "search_text",
    "public_id",
    "revision_of_id",
    "import_source",
    "external_id",
    "created_at",
    "updated_at",
    "submitted_at",
    "verified_at",
]
PRIORITY_COLUMNS = ["entry_id", "priority_id", "description"]
SITUATION_COLUMNS = [
    "entry_id",
    "situation_id",
    "trusting_body_name",
    "trusting_body_kind",
    "reference_type",
    "reference_value",
    "evidence",
    "evidence_content_type",
    "evidence_name",
]
CONTACT_COLUMNS = ["entry_id", "kind", "value", "is_public"]


MUNICIPALITY = GeocodingPrecision.MUNICIPALITY.value  # located at the commune's centre


def entry_row(
    pk,
    *,
    kind_id,
    category_id,
    name,
    address,
    postal_code,
    commune_id,
    departement_id,
    region_id,
    latitude,
    longitude,
    priorities,
    search_text,
    state,
    source,
    external_id,
    now,
    website="",
) -> tuple:
    """One registry_entry row located at its commune, every derived column computed (the
    public id as `public_id_value` gives it)."""
    return (
        pk,
        kind_id,
        category_id,
        name,
        address,
        postal_code,
        commune_id,
        departement_id,
        region_id,
        latitude,
        longitude,
        MUNICIPALITY,
        grid.cell(latitude, longitude, grid.COARSE),
        grid.cell(latitude, longitude, grid.FINE),
        priority_mask(priorities),
        website,
        str(state),
        "",
        f"{search_text} {filter_tokens(region_id, departement_id, category_id, kind_id, priorities)}",
        public_id_value(),
        None,
        source,
        external_id,
        now,
        now,
        now,
        now if state == State.VERIFIED else None,
    )
