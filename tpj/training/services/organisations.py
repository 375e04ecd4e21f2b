"""Registering a training organisation."""

from django.db import transaction

from tpj.audit.services import record
from tpj.core import policy

from ..models import TrainingOrganisation


@transaction.atomic
def register_organisation(user, organisation: TrainingOrganisation) -> TrainingOrganisation:
    """Save a validated (full_clean) organisation and make `user` its first member."""
    policy.require(user, "training.register_organisation")
    organisation.save()
    organisation.members.add(user)
    record(actor=user, obj=organisation, action="training.organisation_registered")
    return organisation
