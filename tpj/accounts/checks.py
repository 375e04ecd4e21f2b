"""System checks on accounts: production must not hold demo accounts."""

from django.conf import settings
from django.core.checks import Error, register
from django.db import DatabaseError

from .models import User


@register("accounts", deploy=True)
def no_demo_accounts_outside_demo_mode(app_configs, **kwargs):
    """`check --deploy` fails when demo accounts exist in a database served without DEMO_MODE."""
    if settings.DEMO_MODE:
        return []
    try:
        count = User.objects.filter(is_demo=True).count()
    except DatabaseError:  # database not created or not migrated yet: nothing to check
        return []
    if not count:
        return []
    return [
        Error(
            f"{count} compte(s) de démonstration présent(s) alors que DEMO_MODE est désactivé.",
            hint='Supprimez-les : python manage.py shell -c "from tpj.accounts.models import User; '
            'User.objects.filter(is_demo=True).delete()"',
            id="accounts.E001",
        )
    ]
