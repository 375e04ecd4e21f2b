"""The health endpoint of a web node, for the load balancer and monitoring: /sante/.

Three cheap checks, no authentication, no session, no transaction around them:
the database (`SELECT 1`), the cache (a value written and read back) and the queue
(`tpj.core.queue.queue_is_reachable`). 200 when all answer, 503 naming what fails, in French.

HealthCheckMiddleware answers it first of all: a load balancer probes each node by its own
address (not in ALLOWED_HOSTS) and often in plain HTTP (no SECURE_SSL_REDIRECT for it).
"""

import logging
import uuid

from django.core.cache import cache
from django.db import connection, transaction
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from .queue import queue_is_reachable
from .text import french_plural

logger = logging.getLogger(__name__)

OK, FAILED = "disponible", "indisponible"
# What the 503 names, one label per check.
LABELS = {"database": "base de données", "cache": "cache", "queue": "file d'attente"}


def database_answers() -> bool:
    """Whether the database answers a `SELECT 1`."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception as error:
        logger.warning("Health: database unreachable (%s: %s)", type(error).__name__, error)
        return False


def cache_answers() -> bool:
    """Whether the cache keeps a value: a Redis that is down ignores the write (IGNORE_EXCEPTIONS)
    and the read gives nothing back."""
    key, value = f"health:{uuid.uuid4().hex}", "1"
    try:
        cache.set(key, value, 10)
        kept = cache.get(key) == value
        cache.delete(key)
    except Exception as error:
        logger.warning("Health: cache unreachable (%s: %s)", type(error).__name__, error)
        return False
    return kept


def _message(failing: list[str]) -> str:
    """« Service dégradé : file d'attente indisponible. », or that everything answers."""
    if not failing:
        return "Tous les services répondent."
    return f"Service dégradé : {', '.join(failing)} {FAILED}{french_plural(len(failing))}."


CHECKS = {"database": database_answers, "cache": cache_answers, "queue": queue_is_reachable}


@never_cache
@csrf_exempt
@require_safe
@transaction.non_atomic_requests  # a database that is down is a 503, never a 500 of ATOMIC_REQUESTS
def health(request):
    """JSON {status, database, cache, queue, message}: 200 when all answer, else 503."""
    results = {name: check() for name, check in CHECKS.items()}
    failing = [LABELS[name] for name, ok in results.items() if not ok]
    body = {
        "status": FAILED if failing else OK,
        **{name: OK if ok else FAILED for name, ok in results.items()},
        "message": _message(failing),
    }
    return JsonResponse(body, status=503 if failing else 200, json_dumps_params={"ensure_ascii": False})


class HealthCheckMiddleware:
    """Answer /sante/ before any other middleware (host check, HTTPS redirect, session)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.path = reverse("core:health")

    def __call__(self, request):
        if request.path == self.path:  # GET and HEAD answered, anything else a 405
            return health(request)
        return self.get_response(request)
