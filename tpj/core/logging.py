"""Logs and error reports, as the settings configure them.

    logging_config(fmt, level) — the LOGGING dict: one line of JSON per record
                                 (LOG_FORMAT=json, production's default) or plain text;
                                 every record carries the request id.
    RequestIdMiddleware        — gives each request an id (the load balancer's X-Request-ID
                                 when it sends one), returned in the response's X-Request-ID.
    init_error_reports(dsn, …) — sentry-sdk with its Django integration, only when a DSN is set.

This module is imported by the settings: it imports nothing from Django's apps.
"""

import logging
import re
import uuid
from contextvars import ContextVar

_request_id: ContextVar[str] = ContextVar("request_id", default="-")
# An id sent by the load balancer is kept only if it looks like one (no log injection).
_ACCEPTED_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
REQUEST_ID_HEADER = "X-Request-ID"

# The fields of a JSON line, in order; `request_id` is added by RequestIdFilter.
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


class RequestIdFilter(logging.Filter):
    """Add `request_id` (the current request's, "-" outside any) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class RequestIdMiddleware:
    """Give every request an id, read by the logs and returned in the X-Request-ID header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = sent if _ACCEPTED_ID.match(sent) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


def logging_config(fmt: str = "text", level: str = "WARNING") -> dict:
    """The LOGGING setting: records on the standard error, as JSON lines when `fmt` is
    "json" (python-json-logger), as text otherwise; `level` for the root logger."""
    if fmt == "json":
        formatter = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": JSON_FIELDS,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    else:
        formatter = {"format": TEXT_FORMAT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "tpj.core.logging.RequestIdFilter"}},
        "formatters": {"default": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "default", "filters": ["request_id"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # E-mails not sent are logged at ERROR with the message's id (tpj.outbox.services);
            # the queue and the cache say when their server cannot be reached.
            "tpj.outbox": {"level": "INFO"},
            "tpj.core.queue": {"level": "INFO"},
            "tpj.cache": {"level": "WARNING"},
            # The worker's own lines (task started, done, retried), once, in this format: with
            # a handler configured here, `run_huey` adds none of its own.
            "huey": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }


def init_error_reports(dsn: str, *, environment: str = "", release: str = "", traces_sample_rate: float = 0.0) -> bool:
    """Send unhandled errors to `dsn` (Sentry or a compatible service such as GlitchTip);
    nothing happens without a DSN. No personal data: no cookies, user or request body.
    Return whether reporting is on."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        environment=environment or None,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
    )
    return True
