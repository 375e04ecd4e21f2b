from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "tpj.training"
    label = "training"
    verbose_name = "Offre de formation Enfance=Égalité"

    def ready(self):
        from . import public_version, workflow  # noqa: F401  (workflow: declares the offers' workflow and its notification kinds)

        public_version.connect()  # entry pages list their organisation's offers: the registry's public cache version
