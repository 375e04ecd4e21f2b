from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tpj.core"
    verbose_name = "Socle"
