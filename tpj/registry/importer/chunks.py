"""A job's file cut into chunks and checked, here or in a second process working ahead.

Checking a chunk is CPU work without the database (`rows.prepare_chunk`); writing it is
mostly the database's. While the worker writes one chunk, a second process
(`tpj.core.ahead`) checks the next: the rate is the slower of the two instead of their sum.
That process takes about a second to start, so the worker checks the first chunks (the
small ones, `HEAD_CHUNKS`) itself meanwhile, and the second process starts after them.
"""

import itertools
import logging
from collections.abc import Iterator
from typing import NamedTuple

from django.core.files.storage import default_storage
from django.utils import timezone

from tpj.core import ahead, csv_reader

from .. import bulk
from ..models import ImportJob
from .rows import PreparedRow, ReferenceData, normalise_header, prepare_chunk

logger = logging.getLogger(__name__)

FIRST_CHUNK_SIZE = 2000  # the first chunk is small: the progress bar moves at once
HEAD_CHUNKS = 3  # checked by the worker itself while the second process starts (2,000 + 4,000 + 8,000 rows)
# Rows left after the head below which no second process starts: about a second of
# checking, what the second process takes to start.
MIN_AHEAD_ROWS = 10_000


class ChunkPlan(NamedTuple):
    """Which rows of a job's file to check, cut how (picklable: sent to the second process)."""

    path: str  # the file's local path, or its name in the default storage (`local` False)
    local: bool
    encoding: str
    source: str
    ref: ReferenceData
    start: int  # the first data row to read (0: the row after the header)
    first_size: int  # rows of the first chunk; each next one twice as many, up to `chunk_size`
    chunk_size: int
    chunks: int | None = None  # stop after this many chunks (None: at the end of the file)


def sizes(first_size: int, chunk_size: int) -> Iterator[int]:
    """The chunks' sizes: `first_size`, then doubling up to `chunk_size`."""
    size = min(first_size, chunk_size)
    while True:
        yield size
        size = min(2 * size, chunk_size)


def plan(job: ImportJob, ref: ReferenceData) -> ChunkPlan:
    """The whole of `job`'s file from its `next_row`."""
    try:
        path, local = job.file.path, True
    except NotImplementedError:  # a remote storage: the second process opens it by name
        path, local = job.file.name, False
    return ChunkPlan(path, local, job.encoding, job.source, ref, job.next_row, FIRST_CHUNK_SIZE, job.chunk_size)


def prepared(job: ImportJob, ref: ReferenceData, work_ahead: bool) -> Iterator[list[PreparedRow]]:
    """`job`'s chunks from `next_row`, checked: the first `HEAD_CHUNKS` here, the others by a
    second process working ahead when `work_ahead` and the file goes on `MIN_AHEAD_ROWS`
    past them."""
    whole = plan(job, ref)
    cut = list(itertools.islice(sizes(whole.first_size, whole.chunk_size), HEAD_CHUNKS + 1))
    head_rows = sum(cut[:HEAD_CHUNKS])
    if not work_ahead or job.total_rows - whole.start - head_rows < max(MIN_AHEAD_ROWS, 1):
        yield from prepared_chunks(whole)
        return
    rest = whole._replace(start=whole.start + head_rows, first_size=cut[HEAD_CHUNKS])
    try:
        later = ahead.iterate_ahead("tpj.registry.importer.chunks.prepared_chunks_ahead", rest)  # starting now
    except OSError:  # no process to be had (memory, limits): slower, not stopped
        logger.warning("Import %s: no second process to check chunks ahead; checked here", job.pk, exc_info=True)
        yield from prepared_chunks(whole)
        return
    with later:
        yield from prepared_chunks(whole._replace(chunks=HEAD_CHUNKS))
        for chunk in later:
            yield list(map(PreparedRow._make, chunk))


def prepared_chunks(plan: ChunkPlan) -> Iterator[list[PreparedRow]]:
    """The rows `plan` names, checked (no database access), a chunk at a time."""
    with _open(plan) as handle:
        reader, _ = csv_reader.dict_reader(handle, plan.encoding)
        reader.fieldnames = [normalise_header(h) for h in reader.fieldnames or []]
        rows = itertools.islice(enumerate(reader), plan.start, None)
        for size in itertools.islice(sizes(plan.first_size, plan.chunk_size), plan.chunks):
            chunk = list(itertools.islice(rows, size))
            if not chunk:
                return
            yield prepare_chunk(chunk, plan.ref, plan.source, bulk.datetime_value(timezone.now()))


def prepared_chunks_ahead(plan: ChunkPlan) -> Iterator[list[tuple]]:
    """`prepared_chunks` in the second process: each row as a plain tuple, which pickles
    in two thirds of the time and unpickles in a fifth (`prepared` turns them back).

    For PostgreSQL, its table rows come encoded for binary COPY too (`bulk.rest_encoder`):
    the writing process waits on the database between chunks, this one has time to spare,
    and the writer then only puts the ids in front (measured: a fifth less CPU in the
    writing process, 4–6 % more entries/s into a million rows; docs/benchmarks.md)."""
    encode = _row_encoder() if bulk.copies_encoded_rows() else tuple
    for chunk in prepared_chunks(plan):
        yield list(map(encode, chunk))


def _row_encoder():
    """A function turning a checked row into a plain tuple whose table rows are encoded."""
    entry, priority, situation, contact = map(
        bulk.rest_encoder, (bulk.ENTRY_COLUMNS, bulk.PRIORITY_COLUMNS, bulk.SITUATION_COLUMNS, bulk.CONTACT_COLUMNS)
    )

    def encoded(row: PreparedRow) -> tuple:
        if row.errors:  # nothing to write
            return tuple(row)
        return tuple(
            row._replace(
                entry=entry(row.entry),
                priorities=tuple(map(priority, row.priorities)),
                situation=situation(row.situation),
                contacts=tuple(map(contact, row.contacts)),
            )
        )

    return encoded


def _open(plan: ChunkPlan):
    return open(plan.path, "rb") if plan.local else default_storage.open(plan.path, "rb")
