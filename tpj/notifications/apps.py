from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class NotificationsConfig(AppConfig):
    name = "tpj.notifications"
    verbose_name = "Notifications"

    def ready(self):
        # Each app declares the kinds of notifications it sends outside its workflows (a juror
        # assigned, a reminder, a message) in its own `notification_kinds.py`, found by name
        # as the outbox finds `emails.py`: this app never imports the apps above it. The
        # kinds of workflow transitions are declared by the workflows themselves.
        autodiscover_modules("notification_kinds")
