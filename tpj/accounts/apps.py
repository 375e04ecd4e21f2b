from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tpj.accounts"
    verbose_name = "Comptes, organisations et rôles"

    def ready(self):
        from . import (
            checks,  # noqa: F401  (registers the system checks)
            signals,  # noqa: F401  (API tokens revoked with the password or the account)
        )
