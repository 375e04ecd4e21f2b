"""The registry's public content version (tpj.core.public_cache): what bumps it.

The directory page, the entry pages, the map and the search API show the published
entries, their map counts and the nomenclatures they are filtered by. Every change to them
bumps the `registry` version once its transaction commits, so no page cached before is
served again — in particular never an entry after its suspension:

- an entry saved or deleted while published or suspended (publication, suspension,
  reinstatement, the merge of a verified revision, the yearly review's suspension). Drafts,
  submissions and revisions are not public: saving them keeps the cache;
- a nomenclature row saved or deleted (labels shown and filtered on every page);
- the writers that bypass the signals call `bump_registry()` themselves: the map counts'
  rebuild (`aggregates.rebuild`) and each chunk of a bulk import (`importer.jobs`).
"""

from django.db.models.signals import post_delete, post_save

from tpj.core.public_cache.versions import REGISTRY, bump
from tpj.nomenclatures.models import Category, EntryKind, Priority

from .models import Entry, State

# A published entry only leaves "verified" for "suspended" (workflow.py); both are saved
# from the public page's point of view.
SHOWN_OR_WITHDRAWN = (State.VERIFIED, State.SUSPENDED)


def bump_registry() -> None:
    """Bump the registry's version at this transaction's commit."""
    bump(REGISTRY)


def _entry_changed(sender, instance, **kwargs):
    if instance.revision_of_id is None and instance.state in SHOWN_OR_WITHDRAWN:
        bump(REGISTRY)


def _reference_changed(sender, instance, **kwargs):
    bump(REGISTRY)


def connect() -> None:
    """Called once, by RegistryConfig.ready()."""
    for signal in (post_save, post_delete):
        signal.connect(_entry_changed, sender=Entry, dispatch_uid=f"public_version.entry.{signal}")
        for model in (Category, EntryKind, Priority):
            signal.connect(_reference_changed, sender=model, dispatch_uid=f"public_version.{model.__name__}.{signal}")
