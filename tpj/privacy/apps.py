from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "tpj.privacy"
    verbose_name = "Données personnelles"
    # The policy rules in permissions.py are loaded by tpj.core's AppConfig, as every app's.
