"""API tokens die with the credentials and the account they were issued for.

Whatever path changes a user's password (reset, change form, admin, `changepassword`)
or deactivates the account (admin, anonymisation…), saving the User revokes its API
tokens through `services.revoke_tokens`. (`QuerySet.update()` sends no signal: a bulk
deactivation must call `revoke_tokens` itself.)
"""

from django.contrib.auth.hashers import get_hasher, identify_hasher, is_password_usable
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from .models import User
from .services import TokenRevocation, revoke_tokens

WATCHED = {"password", "is_active"}
# Set on the user by a caller that knows better than "password change" (the reset view).
PASSWORD_CHANGE_REASON = "_password_change_reason"


def _is_hash_upgrade(user, old: str) -> bool:
    """Django re-hashing a password at login (stronger hasher or more iterations): same password."""
    if user._password is not None or not (is_password_usable(old) and is_password_usable(user.password)):
        return False
    try:
        preferred = get_hasher()
        return identify_hasher(old).algorithm != preferred.algorithm or preferred.must_update(old)
    except ValueError:
        return False


@receiver(pre_save, sender=User, dispatch_uid="accounts.tokens.pre_save")
def _note_revocation(sender, instance, raw=False, update_fields=None, **kwargs):
    instance.__dict__.pop("_token_revocation", None)
    if raw or instance._state.adding or instance.pk is None:
        return
    fields = WATCHED if update_fields is None else WATCHED & set(update_fields)
    if not fields:
        return
    old = sender.objects.filter(pk=instance.pk).values(*fields).first()
    if old is None:
        return
    if "password" in fields and old["password"] != instance.password and not _is_hash_upgrade(instance, old["password"]):
        instance._token_revocation = getattr(instance, PASSWORD_CHANGE_REASON, TokenRevocation.PASSWORD_CHANGE)
    elif "is_active" in fields and old["is_active"] and not instance.is_active:
        instance._token_revocation = TokenRevocation.DEACTIVATION


@receiver(post_save, sender=User, dispatch_uid="accounts.tokens.post_save")
def _revoke(sender, instance, created=False, raw=False, **kwargs):
    reason = instance.__dict__.pop("_token_revocation", None)
    if reason and not created and not raw:
        revoke_tokens(instance, reason)
