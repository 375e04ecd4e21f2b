from django.apps import AppConfig


class ValorisationConfig(AppConfig):
    name = "tpj.valorisation"
    verbose_name = "Valorisation & pilotage national"
