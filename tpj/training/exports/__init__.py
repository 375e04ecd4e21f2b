"""Open-data exports of the training catalogue: CSV, JSON and LHEO 2.3 (XML).

The catalogue is the published offers that still have a session to come (a session is « to
come » until its last day, as in the search); each offer comes with those sessions only. Drafts,
offers awaiting moderation, refused ones and past sessions never appear.

The three files are streamed as they are read: offers are read by batches of `BATCH` with
`values()` (no model instances), and each batch's themes, audiences, funding routes and sessions
in one query each, so memory stays constant and the query count grows by 5 per `BATCH` offers
(about 100 queries for 20,000 offers and 100,000 sessions).

- CSV: one row per session, the offer's fields repeated; « ; », UTF-8 with a BOM and decimal
  commas, as the project's other open-data CSVs and French spreadsheets expect; every cell
  through the project's export helper (`tpj.core.exports`: formulas neutralised); dates
  AAAA-MM-JJ; several values in a cell separated by « | ».
- JSON: an array of offers, each with its sessions nested; codes beside their French labels.
- LHEO: the Carif-Oref exchange language, version 2.3 (namespace http://lheo.gouv.fr/2.3),
  valid against tpj/training/lheo/lheo-2.3.xsd (see PROVENANCE.md there for the schema and
  for how the platform's fields map to LHEO's).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.core.cache import cache
from django.http import StreamingHttpResponse
from django.urls import reverse

from tpj.core import exports as core_exports
from tpj.downloads.models import size_label

from .lheo import lheo_chunks
from .source import LHEO_NAMESPACE, catalogue, published_offers
from .tabular import csv_chunks, json_chunks

__all__ = ["FORMATS", "LHEO_NAMESPACE", "catalogue", "csv_chunks", "download_links", "json_chunks", "lheo_chunks"]
__all__ += ["published_offers", "response"]


@dataclass(frozen=True)
class ExportFormat:
    label: str  # what the page calls it
    content_type: str
    filename: str
    chunks: Callable[[], Iterator[str]]


FORMATS = {
    "csv": ExportFormat("CSV", core_exports.CSV_CONTENT_TYPE, "catalogue-formations.csv", csv_chunks),
    "json": ExportFormat("JSON", "application/json", "catalogue-formations.json", json_chunks),
    "xml": ExportFormat("LHEO (XML)", "application/xml; charset=utf-8", "catalogue-formations-lheo.xml", lheo_chunks),
}
# The size of the last complete download of each file, shown beside its link (« environ … »).
SIZE_CACHE_KEY = "training:catalogue-size:{}"
SIZE_CACHE_SECONDS = 24 * 3600


def _measured(fmt: str, chunks: Iterator[str]) -> Iterator[bytes]:
    """`chunks` encoded, and their total size remembered once the whole file has been sent."""
    size = 0
    for chunk in chunks:
        data = chunk.encode("utf-8")
        size += len(data)
        yield data
    cache.set(SIZE_CACHE_KEY.format(fmt), size, SIZE_CACHE_SECONDS)


def response(fmt: str) -> StreamingHttpResponse:
    """The catalogue in format `fmt` (a key of FORMATS), streamed as a download."""
    export = FORMATS[fmt]
    streamed = StreamingHttpResponse(_measured(fmt, export.chunks()), content_type=export.content_type)
    return core_exports.attachment(streamed, export.filename)


def download_links() -> list[dict]:
    """The catalogue's files for the search page: address, format and last known size."""
    sizes = cache.get_many([SIZE_CACHE_KEY.format(fmt) for fmt in FORMATS])
    return [
        {
            "url": reverse("training:export", args=[fmt]),
            "format": export.label,
            "size": size_label(size) if (size := sizes.get(SIZE_CACHE_KEY.format(fmt))) else "",
        }
        for fmt, export in FORMATS.items()
    ]
