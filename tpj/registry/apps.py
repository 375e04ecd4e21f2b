from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "tpj.registry"
    verbose_name = "Annuaire & carte des 1000 premiers jours en action"
