"""Directory results, page by page, fast at one million entries.

A page is read in two steps: the ids of the page, from a query that the indexes cover
(filters and ordering columns only), then those entries with everything a page shows.
The total comes from the precomputed map counts or the full-text index when they can
answer (`mapdata.published_count`).
"""

import math
from dataclasses import dataclass, replace
from functools import cached_property

from django.db.models import CharField, Count, Prefetch, Value, Window
from django.db.models.functions import Concat

from tpj.core.plain_rows import shaped_rows

from . import mapdata
from .filters import EntryFilter
from .models import Entry, EntryPriority

MIN_RING_KM = 0.5
# Beyond this, a page number is left for the paginator to refuse (a huge OFFSET overflows).
MAX_HINTED_PAGE = 100_000
# A page's bounds are written into its statement: the first pages (ten of 20 entries), which
# nearly every visit reads, have their statements built once; later ones are built each time,
# so that a worker keeps a bounded number of them.
MAX_SHAPED_OFFSET = 200


def entry_queryset():
    """Entries with what their pages and API representation show, in a fixed number of queries."""
    return Entry.objects.select_related("kind", "category", "commune", "departement", "region").prefetch_related(
        Prefetch("priorities", queryset=EntryPriority.objects.select_related("priority")), "contacts"
    )


def read_entries(ids: list[int]) -> list[Entry]:
    """The entries `ids`, in that order, with what `entry_queryset` reads."""
    entries = entry_queryset().in_bulk(ids)
    return [entries[pk] for pk in ids if pk in entries]


@dataclass(slots=True)
class DirectoryRow:
    """An entry as the directory's list shows it."""

    id: int
    name: str
    category_label: str
    commune_name: str
    departement: str | None
    priorities: list[tuple[int, str]]  # (number, short label)


def directory_rows(ids: list[int]) -> list[DirectoryRow]:
    """What the directory's list shows of the entries `ids`, in that order, read as plain
    values in two queries (entries with their category and commune, priorities)."""
    priorities = {pk: [] for pk in ids}
    for entry_id, number, short_label in shaped_rows(
        ("directory rows: priorities", len(ids)),
        lambda *ids: EntryPriority.objects.filter(entry_id__in=ids).values_list(
            "entry_id", "priority__number", "priority__short_label"
        ),
        tuple(ids),
    ):
        priorities[entry_id].append((number, short_label))
    rows = shaped_rows(
        ("directory rows", len(ids)),
        lambda *ids: Entry.objects.filter(pk__in=ids)
        .order_by()
        .values_list("id", "name", "category__label", "commune__name", "departement_id"),
        tuple(ids),
    )
    by_id = {row[0]: row for row in rows}
    return [
        DirectoryRow(pk, by_id[pk][1], by_id[pk][2], by_id[pk][3] or "", by_id[pk][4], priorities[pk])
        for pk in ids
        if pk in by_id
    ]


class SearchResults:
    """The published entries matching `filters`, in directory order: by name, or by
    distance when searching around a commune. Sliced by Django's and DRF's paginators."""

    def __init__(self, filters: EntryFilter, page: int | str | None = None, per_page: int | None = None, read=None):
        """`page`/`per_page`: the page the caller is about to ask for, if known. When the
        total has to be counted live, it is counted by the query that reads that page.
        `read(ids)`: what a page holds, in the order of `ids` (default: the entries, with
        what `entry_queryset` reads); a caller that shows less reads less."""
        self.filters = filters
        self._read = read or read_entries
        self._ids_read = {}
        self._expected = None
        number = str(page or 1)
        if per_page and number.isdigit() and 1 <= int(number) <= MAX_HINTED_PAGE:
            start = (int(number) - 1) * per_page
            self._expected = slice(start, start + per_page)

    @property
    def ordering(self) -> tuple:
        if self.filters.near:
            return ("distance2", "id")
        if self.filters.has_words:
            # Same order, but not one the name index can serve: walking that index and testing
            # each row against the text is what PostgreSQL would otherwise pick, and it reads
            # most of the table when the matches sort late (« café… » after « assistante… »).
            return (Concat("name", Value(""), output_field=CharField()), "id")
        return ("name", "id")

    @cached_property
    def _count(self) -> int:
        filters = self.filters
        counted_live = not (filters.is_aggregatable and not filters.bbox)
        if self._expected and counted_live and not filters.near:
            # One pass over the matches gives the page and, by a window function, the total.
            rows = self._page(filters, self._expected, with_total=True)
            if rows:
                self._ids_read[(self._expected.start, self._expected.stop)] = [pk for pk, _ in rows]
                return rows[0][1]
        return mapdata.published_count(filters)

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("SearchResults se lit par tranches (pagination).")
        ids = self._nearest_ids(index) if self.filters.near else self._ids(self.filters, index)
        return self._read(ids)

    def _ids(self, filters: EntryFilter, index: slice) -> list[int]:
        for (start, stop), ids in self._ids_read.items():
            # The last page is asked shorter than it was read (the paginator stops at the total).
            if start == (index.start or 0) and index.stop is not None and index.stop <= stop:
                return ids[: index.stop - start]
        return [pk for (pk,) in self._page(filters, index)]

    def _page(self, filters: EntryFilter, index: slice, with_total: bool = False) -> list[tuple]:
        """The ids of the entries `index` of `filters` in order, as 1-tuples, or with the total
        of matches beside each id. On one of the first pages, by a statement built once per
        shape when the state allows it (`EntryFilter.shaped_entries`)."""

        def page(entries):
            entries = entries.order_by(*self.ordering)
            if with_total:
                return entries.annotate(total=Window(Count("id"))).values_list("id", "total")[index]
            return entries.values_list("id")[index]

        return filters.published_rows(
            ("search page", with_total, index.start, index.stop), page, shaped=(index.start or 0) < MAX_SHAPED_OFFSET
        )

    def _nearest_ids(self, index: slice) -> list[int]:
        """The page of a "within N km" search, looked for in growing circles.

        The first `stop` entries by distance all lie within radius r as soon as r holds at
        least `stop` entries: start with the radius that should (density from the total),
        double it until it does. Dense areas then sort a few hundred rows, not all of them.
        """
        stop = index.stop or 0
        total, radius = self._count, self.filters.radius_km
        if not stop or total <= 4 * stop:
            return self._ids(self.filters, index)
        r = max(radius * math.sqrt(4 * stop / total), MIN_RING_KM)
        while r < radius:
            ids = self._ids(replace(self.filters, radius_km=r), index)
            if len(ids) == stop - (index.start or 0):
                return ids
            r *= 2
        return self._ids(self.filters, index)
