"""Account operations: sign-up with e-mail confirmation."""

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tpj.audit.services import record

from .models import User

_CONFIRMATION_SALT = "tpj.accounts.email-confirmation"


class ConfirmationError(Exception):
    """Its message is the French explanation shown to the user."""


def confirmation_token(user: User) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=_CONFIRMATION_SALT)


def send_confirmation_email(user: User) -> None:
    link = settings.SITE_URL + reverse("accounts:confirm-email", args=[confirmation_token(user)])
    context = {"user": user, "link": link, "days": settings.EMAIL_CONFIRMATION_MAX_AGE_DAYS}
    send_mail(
        "Confirmez votre adresse e-mail — Territoires des 1000 premiers jours",
        render_to_string("accounts/email/confirmation.txt", context),
        None,
        [user.email],
    )


@transaction.atomic
def sign_up(*, email, password, first_name="", last_name="") -> User:
    """Create an inactive account and e-mail its confirmation link."""
    user = User.objects.create_user(email=email, password=password, first_name=first_name, last_name=last_name, is_active=False)
    record(actor=None, obj=user, action="accounts.sign_up")
    transaction.on_commit(lambda: send_confirmation_email(user))
    return user


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
    return user
