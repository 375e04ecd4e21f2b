from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "tpj.demo"
    verbose_name = "Données de démonstration"
