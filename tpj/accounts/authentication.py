"""API token authentication that applies the same account rules as the login form."""

from rest_framework import authentication, exceptions

from .backends import EmailBackend

DISABLED = "Ce compte est désactivé. Contactez l'administrateur de la plateforme."
DEMO_REFUSED = "Les comptes de démonstration ne sont pas acceptés sur cette plateforme (réservés au mode démo)."


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`; refused for disabled accounts and, outside demo mode, demo accounts."""

    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = model.objects.select_related("user").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed("Jeton non valide.") from None
        if not EmailBackend().user_can_authenticate(token.user):
            raise exceptions.AuthenticationFailed(DEMO_REFUSED if token.user.is_demo and token.user.is_active else DISABLED)
        return token.user, token
