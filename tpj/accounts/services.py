"""Account operations: sign-up with e-mail confirmation, API token revocation.

E-mails go through the outbox (tpj.outbox): written in the transaction that creates or
finds the account, sent after its commit; a refusing mail server never fails the page."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.db import IntegrityError, models, transaction
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tpj.audit.services import record
from tpj.core.urls_absolute import absolute_reverse
from tpj.outbox import services as outbox

from . import emails
from .models import User

_CONFIRMATION_SALT = "tpj.accounts.email-confirmation"


# Sent with `user` once a new account's address is confirmed, in that transaction: the modules
# above accounts act on what was waiting for the address (the registry's member invitations).
email_confirmed = Signal()


class ConfirmationError(Exception):
    """Its message is the French explanation shown to the user."""


def send_password_reset_email(user: User, subject: str, body: str, html_body: str = "") -> None:
    """Enqueue a password reset link (rendered by Django's PasswordResetForm) for `user`."""
    outbox.enqueue(emails.PASSWORD_RESET, to=user.email, subject=subject, body=body, html_body=html_body, obj=user)


def confirmation_token(user: User) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=_CONFIRMATION_SALT)


def send_confirmation_email(user: User) -> None:
    """Enqueue the confirmation link of `user`'s address (sent once the caller's transaction commits)."""
    link = absolute_reverse("accounts:confirm-email", args=[confirmation_token(user)])
    context = {"user": user, "link": link, "days": settings.EMAIL_CONFIRMATION_MAX_AGE_DAYS}
    outbox.enqueue(
        emails.CONFIRMATION,
        to=user.email,
        subject="Confirmez votre adresse e-mail — Territoires des 1000 premiers jours",
        body=render_to_string("accounts/email/confirmation.txt", context),
        obj=user,
    )


def send_existing_account_email(user: User) -> None:
    """Tell the owner of an address that someone tried to sign up with it (no page says so)."""
    context = {
        "user": user,
        "login_link": absolute_reverse("accounts:login"),
        "reset_link": absolute_reverse("accounts:password-reset"),
        "confirmation_link": (
            absolute_reverse("accounts:confirm-email", args=[confirmation_token(user)]) if user.email_confirmed_at is None else ""
        ),
        "days": settings.EMAIL_CONFIRMATION_MAX_AGE_DAYS,
    }
    outbox.enqueue(
        emails.EXISTING_ACCOUNT,
        to=user.email,
        subject="Tentative de création de compte avec votre adresse — Territoires des 1000 premiers jours",
        body=render_to_string("accounts/email/existing_account.txt", context),
        obj=user,
    )


def sign_up(*, email, password, first_name="", last_name="") -> User | None:
    """Create an inactive account and e-mail its confirmation link.

    For an address that already has an account nothing is created and its owner is
    e-mailed instead; the caller answers the same way in both cases, so that sign-up never
    tells whether an address has an account. Returns the new account, or None."""
    email = User.objects.normalize_email(email).strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=email, password=password, first_name=first_name, last_name=last_name, is_active=False
                )
                record(actor=None, obj=user, action="accounts.sign_up")
                send_confirmation_email(user)
            return user
        except IntegrityError:  # the same address signed up at the same moment
            existing = User.objects.filter(email__iexact=email).first()
            if existing is None:
                raise
    else:
        make_password(password)  # as long as creating an account: the time taken tells nothing either
    with transaction.atomic():
        record(actor=None, obj=existing, action="accounts.sign_up_existing")
        send_existing_account_email(existing)
    return None


@transaction.atomic
def confirm_email(token: str) -> User:
    """Activate the account named in `token`; raise ConfirmationError when it cannot."""
    max_age = settings.EMAIL_CONFIRMATION_MAX_AGE_DAYS * 24 * 3600
    try:
        payload = signing.loads(token, salt=_CONFIRMATION_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise ConfirmationError(
            f"Ce lien de confirmation a expiré (il est valable {settings.EMAIL_CONFIRMATION_MAX_AGE_DAYS} jours). "
            "Demandez un nouveau lien ci-dessous."
        ) from None
    except signing.BadSignature:
        raise ConfirmationError(
            "Ce lien de confirmation est invalide. Vérifiez qu'il est complet ou demandez-en un nouveau."
        ) from None
    user = User.objects.select_for_update().filter(pk=payload["user"], email=payload["email"]).first()
    if user is None:
        raise ConfirmationError("Ce lien ne correspond à aucun compte. Inscrivez-vous à nouveau.")
    if user.email_confirmed_at is None:
        user.email_confirmed_at = timezone.now()
        user.is_active = True
        user.save(update_fields=["email_confirmed_at", "is_active"])
        record(actor=user, obj=user, action="accounts.confirm_email")
        email_confirmed.send(sender=User, user=user)
    return user


class TokenRevocation(models.TextChoices):
    """Why a user's API tokens were revoked (the audit event's reason)."""

    PASSWORD_RESET = "password_reset", "Réinitialisation du mot de passe"
    PASSWORD_CHANGE = "password_change", "Changement du mot de passe"
    DEACTIVATION = "deactivation", "Désactivation du compte"
    ANONYMISATION = "anonymisation", "Suppression (anonymisation) du compte"


def revoke_tokens(user: User, reason: TokenRevocation, *, actor=None) -> int:
    """Delete every API token of `user`: the one place tokens are revoked, from every path
    that must revoke them (password reset or change, deactivation, anonymisation).

    Asking /api/v1/auth/token/ afterwards issues a new key. Audited when a token existed;
    returns how many were deleted."""
    reason = TokenRevocation(reason)
    deleted, _ = Token.objects.filter(user_id=user.pk).delete()
    if deleted:
        record(
            actor=actor,
            obj=user,
            action="accounts.revoke_tokens",
            reason=reason.label,
            after={"motif": reason.value, "jetons": deleted},
        )
    return deleted
