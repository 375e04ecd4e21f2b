from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "tpj.registry"
    verbose_name = "Annuaire & carte des 1000 premiers jours en action"

    def ready(self):
        from . import public_version  # signals of models, importable only once apps are ready

        public_version.connect()

        from tpj.accounts.services import email_confirmed

        email_confirmed.connect(_accept_invitations, dispatch_uid="registry.invitations.email_confirmed")


def _accept_invitations(sender, user, **kwargs):
    """A new account confirmed its address: the invitations sent to it make it a member."""
    from .services.invitations import accept_for_confirmed_account

    accept_for_confirmed_account(user)
