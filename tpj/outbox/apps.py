from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class OutboxConfig(AppConfig):
    name = "tpj.outbox"
    verbose_name = "Courriels sortants"

    def ready(self):
        # Each app declares its e-mails' purposes (and their "on sent" hooks) in its own
        # `emails.py`, found by name as the admin finds `admin.py`: the outbox, at the bottom
        # of the layers, never imports the apps above it.
        autodiscover_modules("emails")
