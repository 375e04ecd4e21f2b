from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class AccountsConfig(AppConfig):
    name = "tpj.accounts"
    verbose_name = "Comptes, organisations et rôles"

    def ready(self):
        # Every app declares its rules in permissions.py; load them into the policy.
        autodiscover_modules("permissions")
        from . import checks  # noqa: F401  (registers the system checks)
