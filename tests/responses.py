"""Closing a streamed response in a test.

`HttpResponse.close()` sends `request_finished`, whose `close_old_connections` handler closes
the database connection: harmless on the in-memory SQLite test database, fatal to the rest of
the test on PostgreSQL. The test client itself closes responses without that handler.
"""

from django.core.signals import request_finished
from django.db import close_old_connections


def close_response(response) -> None:
    """Close `response` (its file, for a download) and keep the test's database connection."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
