"""Errors the services raise that are neither a bad input nor a refused permission."""

from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """The request collides with what is already recorded: a duplicate created by a concurrent
    request, a declaration or a validation that cannot be undone. A French message.

    A `ValidationError`, so that the web pages show it like any other refusal (form error or
    message); the API answers it with a 409 and the message as `detail` (tpj.core.api).
    """
