from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "tpj.registry"
    verbose_name = "Annuaire & carte des 1000 premiers jours en action"

    def ready(self):
        from . import public_version  # signals of models, importable only once apps are ready

        public_version.connect()
