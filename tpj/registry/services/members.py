"""Who manages an entry: adding and removing its members."""

from django.core.exceptions import ValidationError
from django.db import transaction

from tpj.accounts.models import User
from tpj.audit.services import record

from ..models import Entry


@transaction.atomic
def add_member(entry: Entry, email: str, user):
    """Let the holder of an active account `email` manage `entry`; a French error keyed "email" otherwise."""
    member = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if member is None:
        raise ValidationError(
            {"email": "Aucun compte actif n'utilise cette adresse : la personne doit d'abord créer son compte."}
        )
    entry.members.add(member)
    record(actor=user, obj=entry, action="registry.member_added", reason=member.email)
    return member


@transaction.atomic
def remove_member(entry: Entry, member, user):
    """Take `member` off `entry`, which keeps at least one member."""
    if entry.members.count() <= 1:
        raise ValidationError("Une fiche garde au moins un membre.")
    entry.members.remove(member)
    record(actor=user, obj=entry, action="registry.member_removed", reason=member.email)
