from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class ConversationsConfig(AppConfig):
    name = "tpj.conversations"
    verbose_name = "Échanges sur les dossiers"

    def ready(self):
        from . import permissions  # noqa: F401  (the policy rules)

        # Each module declares the files that carry a conversation in its own
        # `conversations.py`, found by name as the outbox finds `emails.py`: this app, at the
        # bottom of the layers, never imports the modules above it.
        autodiscover_modules("conversations")
