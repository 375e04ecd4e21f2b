from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from .models import User


class EmailBackend(ModelBackend):
    """Log in with e-mail (case-insensitive) and password; demo accounts only in demo mode."""

    def authenticate(self, request, email=None, password=None, username=None, **kwargs):
        email = (email or username or "").strip().lower()
        if not email or password is None:
            return None
        try:
            user = User.objects.get(email=email)
        except User.DoesNotExist:
            User().set_password(password)  # same cost as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def user_can_authenticate(self, user):
        if user.is_demo and not settings.DEMO_MODE:
            return False
        return super().user_can_authenticate(user)
