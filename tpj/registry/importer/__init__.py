"""CSV import of a whole network (e.g. a CAF's list of Relais Petite Enfance), run by workers.

- `rows`: the columns, the per-row checks (French errors) and the table rows of an entry,
  without any database write;
- `jobs`: the job's life — created by the page or the command line, claimed by a worker,
  written chunk by chunk (each chunk and `next_row` in one transaction), recovered after a
  killed worker, idempotent on the rows' external identifiers.
"""

from .jobs import (
    CHUNK_SIZE,
    COMMAND_CHUNK_SIZE,
    LEASE,
    MAX_ATTEMPTS,
    MAX_ERRORS_KEPT,
    JobBusy,
    LeaseLost,
    claim,
    create_job,
    fail,
    import_file,
    inspect_file,
    is_free,
    queue_job,
    recover,
    run,
    run_claimed,
    summary,
    unfinished_job,
    work,
)
from .rows import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    PreparedRow,
    ReferenceData,
    RowErrors,
    clean_cells,
    normalise_header,
    parse_row,
    prepare_chunk,
)

__all__ = [
    "CHUNK_SIZE",
    "COMMAND_CHUNK_SIZE",
    "LEASE",
    "MAX_ATTEMPTS",
    "MAX_ERRORS_KEPT",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "JobBusy",
    "LeaseLost",
    "PreparedRow",
    "ReferenceData",
    "RowErrors",
    "claim",
    "clean_cells",
    "create_job",
    "fail",
    "import_file",
    "inspect_file",
    "is_free",
    "normalise_header",
    "parse_row",
    "prepare_chunk",
    "queue_job",
    "recover",
    "run",
    "run_claimed",
    "summary",
    "unfinished_job",
    "work",
]
