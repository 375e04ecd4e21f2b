from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "tpj.privacy"
    verbose_name = "Données personnelles"

    def ready(self):
        from . import permissions  # noqa: F401  (registers the policy rules)
