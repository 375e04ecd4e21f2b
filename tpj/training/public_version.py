"""The public cache versions (tpj.core.public_cache) the training offer moves.

- `formations`, its own: the search, its APIs and the map show the published offers, their
  sessions and their organisations;
- `registry`: the entry pages of the organisations that declare priority 9 list their
  published offers and each one's next session (services/links.py).

Both are bumped, once the transaction commits, when what they show changes:

- an offer saved or deleted while published, or leaving publication (its withdrawal saves it
  as a draft: the state it was read with tells). Drafts being written (autosaved as the
  member types) keep the cache;
- a session saved or deleted while its offer is published (one primary-key read);
- an organisation saved or deleted (its name is on every offer; its SIRET links it to an
  entry): rare.

The copies of an offer's fields onto its sessions (`Offer.sync_sessions`, a bulk update)
follow a save of the offer, whose own signal bumps.
"""

from django.db.models.signals import post_delete, post_init, post_save

from tpj.core.public_cache.versions import REGISTRY, TRAINING, bump

from .models import Offer, OfferState, Session, TrainingOrganisation


def _remember_state(sender, instance, **kwargs):
    # From the instance's dict: a deferred state (`.only(...)`) is not read for this.
    instance._state_when_read = instance.__dict__.get("state")


def _bump_both() -> None:
    bump(TRAINING)
    bump(REGISTRY)


def _offer_changed(sender, instance, **kwargs):
    if OfferState.PUBLISHED in (instance.state, getattr(instance, "_state_when_read", None)):
        _bump_both()
    instance._state_when_read = instance.state


def _session_changed(sender, instance, **kwargs):
    if Offer.objects.published().filter(pk=instance.offer_id).exists():
        _bump_both()


def _organisation_changed(sender, instance, **kwargs):
    _bump_both()


def connect() -> None:
    """Called once, by TrainingConfig.ready()."""
    post_init.connect(_remember_state, sender=Offer, dispatch_uid="training_public_version.offer.init")
    for signal in (post_save, post_delete):
        for model, receiver in (
            (Offer, _offer_changed),
            (Session, _session_changed),
            (TrainingOrganisation, _organisation_changed),
        ):
            signal.connect(receiver, sender=model, dispatch_uid=f"training_public_version.{model.__name__}.{signal}")
