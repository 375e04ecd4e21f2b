"""The table of files the workers can prepare: what each kind of export is and how it is built.

Each app declares its builders in its `downloads.py` (found by `DownloadsConfig.ready`):

    register(Builder(kind="registry.csv", label="Annuaire (CSV)", ...))

A builder's `chunks(parameters, user)` yields the file's text piece by piece, exactly as the
synchronous export streams it (the same generator functions), applying `visible_to(user)`:
the user who asked, with the rights they have when the file is built. `framing` is the number of
pieces that are not rows (a BOM and a header line, the brackets of a JSON array), so that
the job can count the rows it wrote.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from tpj.core.policy import Decision


def _allow(user, parameters) -> Decision:
    return Decision.allow()


def _no_scope(user) -> dict:
    return {}


@dataclass(frozen=True)
class Builder:
    kind: str  # "registry.csv"
    label: str  # French, what the file holds ("Annuaire : fiches vérifiées")
    format_label: str  # "CSV", "GeoJSON", "JSON"
    content_type: str
    # parameters -> the name the file downloads as
    filename: Callable[[dict], str]
    # the file's pieces (str), for these parameters and this user (None: a public file)
    chunks: Callable[[dict, object], Iterable[str]]
    # the request's query string -> the job's parameters; raises a French ValidationError
    parse: Callable[[object, object], dict] = lambda query, user: {}
    # may `user` have this file? (asked at request time and again when it is built)
    authorize: Callable[[object, dict], Decision] = _allow
    # the user's scope at request time, kept with the job ({"national": True}, {"regions": […]})
    scope: Callable[[object], dict] = _no_scope
    # rows the file will hold (progress), or None when unknown
    count: Callable[[dict, object], int] | None = None
    # parameters -> what the page says about this file ("filtres : région Bretagne")
    describe: Callable[[dict], str] = lambda parameters: ""
    framing: int = 2
    # Public open data: regenerated regularly without parameters, served at its public URL;
    # `last_change()` is when its data last changed (a file older than that is not served).
    public: bool = False
    last_change: Callable[[], object] | None = None


_BUILDERS: dict[str, Builder] = {}


def register(builder: Builder) -> Builder:
    """Declare `builder` (once per kind)."""
    if builder.kind in _BUILDERS:
        raise ValueError(f"Export builder {builder.kind!r} declared twice")
    _BUILDERS[builder.kind] = builder
    return builder


def get(kind: str) -> Builder:
    try:
        return _BUILDERS[kind]
    except KeyError:
        raise LookupError(f"No export builder {kind!r}: declare it in the app's downloads.py") from None


def exists(kind: str) -> bool:
    return kind in _BUILDERS


def public_builders() -> list[Builder]:
    return sorted((b for b in _BUILDERS.values() if b.public), key=lambda b: b.kind)
