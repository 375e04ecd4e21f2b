from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tpj.audit"
    verbose_name = "Journal d'audit"
