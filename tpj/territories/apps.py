from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "tpj.territories"
    verbose_name = "Territoires"
