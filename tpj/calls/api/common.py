"""What the calls API endpoints share."""

from rest_framework.exceptions import NotAuthenticated


def require_auth(request):
    """A 401 for an anonymous caller, before anything about the object is read."""
    if not request.user.is_authenticated:
        raise NotAuthenticated()
