"""ProConnect (OpenID Connect) login for civil servants; off unless OIDC_ENABLED."""

from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from tpj.audit.services import record


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
        return user

    def update_user(self, user, claims):
        if user.email_confirmed_at is None:
            user.email_confirmed_at = timezone.now()
            user.save(update_fields=["email_confirmed_at"])
        return user
