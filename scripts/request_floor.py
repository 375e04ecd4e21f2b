"""Django's fixed cost per request on this machine (issue 16 §1), printed as Markdown.

Three views that run no SQL, served through the project's whole URL conf and middleware stack
and timed with Django's test client, as the registry bench times its public reads: a plain
`HttpResponse`, a DRF `APIView` answering a small JSON, and the site's DSFR layout
(`base.html`) with nothing in its content block, as an anonymous visitor gets it. What a
public read costs above them and above its bare SQL is its own work (statements built by the
ORM, rows converted, serialisation, the page's own templates), not the framework's request
path; the third is the least any HTML page of the site costs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tpj_loadtest DEBUG=False \\
        .venv/bin/python -m scripts.request_floor

(any migrated database: the views do not read it.)
"""

import os
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django.setup()

from django.http import HttpResponse  # noqa: E402 (after django.setup())
from django.template import engines  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework.permissions import AllowAny  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

from config import urls as project_urls  # noqa: E402

REQUESTS = 2000


def plain(request):
    return HttpResponse("ok", content_type="text/plain")


class Empty(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"ok": True})


# The layout alone: every block of base.html left as it is, nothing in the content.
EMPTY_PAGE = engines["django"].from_string('{% extends "base.html" %}')


def empty_layout(request):
    return HttpResponse(EMPTY_PAGE.render({}, request))


urlpatterns = [
    path("plancher/simple/", plain),
    path("plancher/api/", Empty.as_view()),
    path("plancher/gabarit/", empty_layout),
    *project_urls.urlpatterns,
]
FLOOR_VIEWS = (
    ("plain HttpResponse", "/plancher/simple/"),
    ("DRF APIView, JSON", "/plancher/api/"),
    ("the DSFR layout (base.html), empty content", "/plancher/gabarit/"),
)


def main() -> None:
    client = Client()
    print(f"load average (1 min) before: {os.getloadavg()[0]:.2f}\n")
    print("| view (no SQL) | p50 (ms) | p95 (ms) | requests |")
    print("|---|---:|---:|---:|")
    with override_settings(ROOT_URLCONF=__name__):
        for label, url in FLOOR_VIEWS:
            for _ in range(50):  # warm-up: URL resolver and middleware caches
                client.get(url)
            times = []
            for _ in range(REQUESTS):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
            times.sort()
            print(f"| {label} | {statistics.median(times):.2f} | {times[int(0.95 * len(times))]:.2f} | {REQUESTS} |")
    print(f"\nload average (1 min) after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
