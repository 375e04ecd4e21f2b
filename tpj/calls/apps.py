from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "tpj.calls"
    verbose_name = "Appels à projets régionaux"
