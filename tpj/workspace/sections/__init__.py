"""The sections of « Mon espace », one module per role, each computed from its app's QuerySets
and services. A section is data (items to act on, tables, links); the templates draw it with
the DSFR's tiles, badges and tables.

Each module exposes `build(user, now) -> Section | None`: None when the person does not hold
that role (a section never shows empty for a role the person does not have). Counts and
oldest dates are computed in SQL (aggregates over the indexed columns), never by loading rows;
each section runs a fixed number of queries, whatever the size of the person's territory.
"""

from . import applicant, call_manager, commissaire, juror, moderator, national, professional, training
from .base import Section

# In the order a multi-role person reads them: their own files first, then the work of each
# role, the national view last.
BUILDERS = (professional, applicant, training, moderator, commissaire, call_manager, juror, national)


def build_sections(user, now) -> list[Section]:
    """The sections of every role `user` holds, in reading order."""
    return [section for section in (module.build(user, now) for module in BUILDERS) if section is not None]
