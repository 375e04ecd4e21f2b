"""ProConnect (OpenID Connect) login for civil servants; off unless OIDC_ENABLED.

mozilla-django-oidc runs the authorisation-code flow (state, nonce, signed id_token
checked against the provider's JWKS); this backend maps ProConnect's claims onto our
accounts: the e-mail is the identity (already verified by ProConnect), `given_name` and
`usual_name` fill the name. An existing account is reused; one never confirmed is
confirmed and activated; one disabled by an administrator stays disabled. An account with no
organisation is linked to the registered organisation of the `siret` claim (the agent's
establishment, as ProConnect asserts it), if there is one.
"""

from django.conf import settings
from django.http import Http404
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationRequestView
from stdnum.fr import siret as stdnum_siret

from tpj.audit.services import record

from .backends import EmailBackend
from .models import Organisation

# Shown on the login page when the provider sends the user back without a valid login.
FAILURE_MESSAGE = (
    "La connexion avec ProConnect n'a pas abouti. Réessayez, ou connectez-vous avec votre adresse e-mail et votre mot de passe."
)


class ProConnectBackend(OIDCAuthenticationBackend):
    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip().lower()
        return self.UserModel.objects.filter(email=email) if email else self.UserModel.objects.none()

    def create_user(self, claims):
        user = self.UserModel.objects.create_user(
            email=claims["email"],
            first_name=claims.get("given_name", ""),
            last_name=claims.get("usual_name", "") or claims.get("family_name", ""),
            email_confirmed_at=timezone.now(),
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        record(actor=user, obj=user, action="accounts.proconnect_sign_up")
        link_organisation(user, claims)
        return user

    def update_user(self, user, claims):
        if user.email_confirmed_at is None:
            # Never confirmed: ProConnect has just proved the address belongs to this person.
            user.email_confirmed_at = timezone.now()
            user.is_active = True
            user.save(update_fields=["email_confirmed_at", "is_active"])
            record(actor=user, obj=user, action="accounts.confirm_email", reason="ProConnect")
        link_organisation(user, claims)
        return user

    def user_can_authenticate(self, user):
        return EmailBackend().user_can_authenticate(user)

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def link_organisation(user, claims) -> None:
    """Link an account without organisation to the organisation registered with the SIRET claim."""
    siret = stdnum_siret.compact(claims.get("siret") or "")
    if user.organisation_id or not siret:
        return
    organisation = Organisation.objects.filter(siret=siret).first()
    if organisation is None:
        return
    user.organisation = organisation
    user.save(update_fields=["organisation"])
    record(
        actor=user, obj=user, action="accounts.proconnect_organisation", after={"organisation": organisation.name, "siret": siret}
    )


class ProConnectRequestView(OIDCAuthenticationRequestView):
    """Starts the ProConnect flow; a 404 while ProConnect is off (OIDC_ENABLED=False)."""

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404("La connexion ProConnect n'est pas activée sur cette plateforme.")
        return super().get(request)
