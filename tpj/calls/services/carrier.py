"""The carrier's identity in the Sirene register, stored on the application.

The application form shows it under the SIRET field (views.sirene, « Rechercher »); it is kept
with the application when the SIRET is saved, so that the instruction, the committee's export
and the API show the legal name, address, legal form and activity the register gave, and when.
The adapter's offline fallback (tpj.core.sirene.lookup never raises) holds here too: a register
that does not answer leaves the identity read before for the same SIRET, or an empty one.
"""

from django.db import transaction
from django.utils import timezone

from tpj.core.sirene import Lookup, lookup

from ..models import Application

IDENTITY_FIELDS = (
    "carrier_legal_name",
    "carrier_address",
    "carrier_legal_form",
    "carrier_activity",
    "carrier_closed",
    "carrier_identity_at",
)


def clear_carrier_identity(app: Application) -> None:
    """Forget the identity read for a previous SIRET (not saved: the caller saves)."""
    app.carrier_legal_name = app.carrier_address = app.carrier_legal_form = app.carrier_activity = ""
    app.carrier_closed = False
    app.carrier_identity_at = None


def needs_lookup(app: Application, siret: str) -> bool:
    """Whether saving `siret` (compact) as `app`'s carrier SIRET asks the register: a new SIRET,
    or one whose identity was not found before."""
    return bool(siret) and (siret != app.carrier_siret or app.carrier_identity_at is None)


def lookup_before_saving(app: Application, siret: str, adapter=None) -> Lookup | None:
    """The register's answer for `siret` when saving it needs one (else None): asked before the
    application's row is locked, so that no lock is held while the register answers."""
    return lookup(siret, adapter=adapter) if needs_lookup(app, siret) else None


def record_carrier_identity(
    app: Application, *, previous_siret: str | None = None, adapter=None, answer: Lookup | None = None
) -> Lookup | None:
    """Read `app.carrier_siret` in the Sirene register and set its identity on `app` (not saved:
    the caller saves). Looked up only when the SIRET changed from `previous_siret` or no identity
    is stored yet (`answer`: the register's answer already read for this SIRET, see
    `lookup_before_saving`); a SIRET the register does not know (or no SIRET) leaves the identity
    empty. Returns the look-up used, or None when none was needed."""
    siret = app.carrier_siret
    if previous_siret is not None and previous_siret != siret:
        clear_carrier_identity(app)
    if not siret or app.carrier_identity_at is not None:
        return None
    fits = answer is not None and (answer.identity is None or answer.identity.siret == siret)
    result = answer if fits else lookup(siret, adapter=adapter)
    identity = result.identity
    if identity is not None:
        app.carrier_legal_name = identity.legal_name[:255]
        app.carrier_address = identity.address[:255]
        app.carrier_legal_form = identity.legal_form[:120]
        app.carrier_activity = identity.activity[:255]
        app.carrier_closed = identity.closed
        app.carrier_identity_at = timezone.now()
    return result


def carrier_identity(app: Application) -> dict | None:
    """The stored identity as the pages and the API show it, or None when none was read."""
    if app.carrier_identity_at is None:
        return None
    return {
        "legal_name": app.carrier_legal_name,
        "address": app.carrier_address,
        "legal_form": app.carrier_legal_form,
        "activity": app.carrier_activity,
        "closed": app.carrier_closed,
        "checked_at": app.carrier_identity_at,
    }


def record_missing_identities(adapter=None, batch: int = 500) -> dict[str, int]:
    """Read the identity of every application that has a SIRET but none stored: those saved
    before the identity was kept (migration calls 0016), or while the register did not answer.
    The applications are read `batch` at a time, in order, so that SIRETs the register does not
    know are asked once per run and never hold back the others. Each look-up is made outside
    any transaction. The answer is stored only if the application still has that SIRET and
    still no identity, because the carrier may have saved in the meantime. The application's
    modification date is left as it was: nobody edited it. Returns the counts `found`,
    `not_found` (the register answered that it does not know the SIRET) and `unanswered` (it
    did not answer: run again later)."""
    pending = Application.objects.exclude(carrier_siret="").filter(carrier_identity_at__isnull=True).order_by("pk")
    counts = {"found": 0, "not_found": 0, "unanswered": 0}
    last = 0
    while rows := list(pending.filter(pk__gt=last).values_list("pk", "carrier_siret")[:batch]):
        last = rows[-1][0]
        for pk, siret in rows:
            answer = lookup(siret, adapter=adapter)
            if answer.identity is None:
                counts["not_found" if answer.answered else "unanswered"] += 1
            elif _store_if_unchanged(pk, siret, answer):
                counts["found"] += 1
    return counts


def _store_if_unchanged(pk: int, siret: str, answer: Lookup) -> bool:
    with transaction.atomic():
        app = Application.objects.select_for_update().filter(pk=pk, carrier_siret=siret, carrier_identity_at__isnull=True).first()
        if app is None:  # saved meanwhile: that save read the register itself
            return False
        record_carrier_identity(app, answer=answer)
        app.save(update_fields=list(IDENTITY_FIELDS))
    return True
