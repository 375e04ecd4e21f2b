from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "tpj.core"
    verbose_name = "Socle"

    def ready(self):
        # Every app declares its rules in permissions.py; load them into the policy.
        autodiscover_modules("permissions")


class AdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with a site opened by the policy ("core.administer")."""

    default = False  # tpj.core's own config stays CoreConfig
    default_site = "tpj.core.admin_site.AdminSite"
