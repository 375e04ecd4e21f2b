"""Inviting a person who has no account yet to manage an entry (issue 17 §5).

A member adds an address on the members page: an active account is added at once
(`members.add_member`); otherwise a `MemberInvitation` is written with a personal link,
e-mailed through the outbox. The link makes its holder a member once signed in with the invited
address, either by opening it or by confirming a new account created with that address
(`accept_for_confirmed_account`, called when the account's address is confirmed). Re-inviting
an address replaces its pending invitation: the previous link stops working.
"""

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from tpj.accounts.models import User
from tpj.audit.services import record
from tpj.core import policy
from tpj.core.urls_absolute import absolute_reverse
from tpj.outbox import services as outbox

from ..emails import MEMBER_INVITATION
from ..models import INVITATION_DAYS, Entry, MemberInvitation
from ..models.claims import invitation_expiry
from .members import add_member


class InvitationError(Exception):
    """Its message is the French explanation shown on the invitation page."""


INVALID = (
    "Ce lien d'invitation n'est pas valide : il est incomplet, ou une invitation plus récente l'a remplacé. "
    "Ouvrez le dernier courriel d'invitation reçu, ou demandez à un membre de la fiche de vous inviter à nouveau."
)
USED = "Cette invitation a déjà été utilisée. Si vous avez besoin d'accéder à la fiche, demandez à l'un de ses membres de vous inviter à nouveau."


def hash_token(token: str) -> str:
    """What is stored of an invitation link: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def add_or_invite(entry: Entry, email: str, user) -> tuple[str, object]:
    """Add the active account of `email` to `entry`, or invite the address: ("added", member)
    or ("invited", invitation). French `ValidationError` keyed "email" on a bad address."""
    policy.require(user, "registry.manage_members", entry)
    email = User.objects.normalize_email((email or "").strip()).lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Saisissez une adresse e-mail valide (ex. : nom@exemple.fr)."}) from None
    if User.objects.filter(email__iexact=email, is_active=True).exists():
        return "added", add_member(entry, email, user)
    if entry.members.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Cette adresse est déjà celle d'un membre de la fiche."})
    return "invited", invite(entry, email, user)


def invite(entry: Entry, email: str, user) -> MemberInvitation:
    """Write (or replace) the invitation of `email` to manage `entry` and e-mail its link."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    fields = {"token_hash": hash_token(token), "invited_by": user, "created_at": now, "expires_at": invitation_expiry(now)}
    for attempt in range(2):
        try:
            with transaction.atomic():
                invitation = (
                    MemberInvitation.objects.select_for_update()
                    .filter(entry=entry, email=email, accepted_at__isnull=True)
                    .first()
                )
                replaced = invitation is not None
                if replaced:
                    for name, value in fields.items():
                        setattr(invitation, name, value)
                    invitation.save()
                else:
                    invitation = MemberInvitation.objects.create(entry=entry, email=email, **fields)
                if replaced:  # the previous link stops working
                    record(actor=user, obj=entry, action="registry.member_reinvited", reason=email)
                else:
                    record(actor=user, obj=entry, action="registry.member_invited", reason=email)
                _send(invitation, token, user)
                return invitation
        except IntegrityError:
            if attempt:  # the same address invited at the same moment twice in a row: let it show
                raise
    raise AssertionError("unreachable")


def _send(invitation: MemberInvitation, token: str, sender):
    entry = invitation.entry
    context = {
        "entry": entry,
        "inviter": sender,
        "link": absolute_reverse("registry:invitation", args=[token]),
        "expires_at": invitation.expires_at,
        "days": INVITATION_DAYS,
        "signup_url": absolute_reverse("accounts:signup"),
    }
    outbox.enqueue(
        MEMBER_INVITATION,
        to=invitation.email,
        subject=f"{outbox.SUBJECT_PREFIX}Invitation à gérer la fiche « {entry.name} »"[:200],
        body=render_to_string("registry/email/invitation.txt", context),
        obj=entry,
        sender=sender,
    )


def find(token: str) -> MemberInvitation | None:
    return MemberInvitation.objects.select_related("entry").filter(token_hash=hash_token(token or "")).first()


def check_usable(invitation: MemberInvitation | None) -> None:
    """Raise `InvitationError` when the link cannot be used any more (unknown, used, expired)."""
    if invitation is None:
        raise InvitationError(INVALID)
    if invitation.accepted_at:
        raise InvitationError(USED)
    if invitation.is_expired:
        expired = timezone.localtime(invitation.expires_at).strftime("%d/%m/%Y")
        raise InvitationError(
            f"Cette invitation a expiré le {expired} (elle était valable {INVITATION_DAYS} jours). "
            "Demandez à un membre de la fiche de vous inviter à nouveau."
        )


def accept(token: str, user) -> MemberInvitation:
    """Make `user` a member of the entry `token` invites to. Raises `InvitationError` for an
    unknown, used or expired link, `policy.PermissionDenied` for an account of another address."""
    with transaction.atomic():
        invitation = MemberInvitation.objects.select_for_update().filter(token_hash=hash_token(token or "")).first()
        check_usable(invitation)
        policy.require(user, "registry.accept_invitation", invitation)
        _accept(invitation, user)
    return invitation


def _accept(invitation: MemberInvitation, user):
    invitation.entry.members.add(user)
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    record(actor=user, obj=invitation.entry, action="registry.invitation_accepted", reason=user.email)


def accept_for_confirmed_account(user) -> list[Entry]:
    """Accept the pending invitations of `user`'s address, which they have just proven theirs
    by confirming their new account (tpj.accounts.services.email_confirmed)."""
    accepted = []
    with transaction.atomic():
        for invitation in MemberInvitation.objects.pending().select_for_update().filter(email__iexact=user.email):
            _accept(invitation, user)
            accepted.append(invitation.entry)
    return accepted


def pending_invitations(entry: Entry):
    return MemberInvitation.objects.filter(entry=entry, accepted_at__isnull=True).order_by("email")
