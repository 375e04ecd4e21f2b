from django.apps import AppConfig


class ValorisationConfig(AppConfig):
    name = "tpj.valorisation"
    verbose_name = "Valorisation & pilotage national"

    def ready(self):
        from . import projects, public_version  # signals of models, importable only once apps are ready

        public_version.connect()  # the projetothèque's public cache version (tpj.core.public_cache)
        projects.connect()  # the projetothèque's stored search texts
