"""Writes the audit events held during a request (see `services.record_refusal`)."""

from .services import discard_held_events, write_held_events


class HeldAuditEventsMiddleware:
    """Writes the refusals held during a request after its transaction (ATOMIC_REQUESTS).

    Django runs the view in its transaction inside the middleware chain: here the
    transaction is over, whether the view's error rolled it back or not.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        discard_held_events()  # nothing from an earlier request of this thread
        try:
            return self.get_response(request)
        finally:
            write_held_events()
