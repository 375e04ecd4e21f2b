from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class DownloadsConfig(AppConfig):
    name = "tpj.downloads"
    verbose_name = "Téléchargements préparés"

    def ready(self):
        # Each app declares the files it can prepare in its own `downloads.py` (found by name,
        # as the outbox finds `emails.py`): this app, at the bottom of the layers, never
        # imports the apps above it.
        autodiscover_modules("downloads")
