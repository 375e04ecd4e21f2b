"""The registry's public cache version (tpj.core.public_cache), as the training offer moves it.

The entry pages of the organisations that declare priority 9 list their published offers
and each one's next session (services/links.py), and the registry's pages are served to
anonymous visitors from the public cache. So the `registry` version is bumped, once the
transaction commits, when what they list changes:

- an offer saved or deleted while published, or leaving publication (its withdrawal saves it
  as a draft: the state it was read with tells). Drafts being written (autosaved as the
  member types) keep the cache;
- a session saved or deleted while its offer is published (one primary-key read);
- an organisation saved or deleted (its SIRET links it to an entry): rare.
"""

from django.db.models.signals import post_delete, post_init, post_save

from tpj.core.public_cache.versions import REGISTRY, bump

from .models import Offer, OfferState, Session, TrainingOrganisation


def _remember_state(sender, instance, **kwargs):
    # From the instance's dict: a deferred state (`.only(...)`) is not read for this.
    instance._state_when_read = instance.__dict__.get("state")


def _offer_changed(sender, instance, **kwargs):
    if OfferState.PUBLISHED in (instance.state, getattr(instance, "_state_when_read", None)):
        bump(REGISTRY)
    instance._state_when_read = instance.state


def _session_changed(sender, instance, **kwargs):
    if Offer.objects.published().filter(pk=instance.offer_id).exists():
        bump(REGISTRY)


def _organisation_changed(sender, instance, **kwargs):
    bump(REGISTRY)


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
