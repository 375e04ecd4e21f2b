"""The public cache: anonymous GETs of the views marked public_read, served from the cache."""

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse, HttpResponseNotModified, QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags

from . import compression, keys, versions
from .marking import scope_of

# Headers that belong to one exchange, never replayed from the cache.
UNSTORED_HEADERS = {"date", "set-cookie"}


class PublicCacheMiddleware:
    """Serves the public reads (views marked `public_read`) to anonymous visitors from the
    `public` cache, and answers their conditional GETs with 304.

    Placed after the CSP and security middlewares, so that each hit still gets its own
    headers from them, and before the session, CSRF and authentication middlewares, so that
    a hit costs none of their work: one URL resolution, one version read, one cache read.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        scope = self._scope(request)
        if scope is None:
            return self.get_response(request)
        if compression.personal_request(request):
            response = self.get_response(request)
            if response.status_code == 200 and not response.has_header("Cache-Control"):
                patch_cache_control(response, private=True, no_cache=True)
            return response
        # One key, one rendering: the view reads the normalised query (keys.normalised_query).
        query = keys.normalised_query(request.GET)
        request.GET = QueryDict(query)
        request.META["QUERY_STRING"] = query
        # Public pages carry no CSP nonce. Their scripts are all external and same-origin
        # (django-dsfr's `dsfr_js` renders <script src> only, as do htmx and the pages'
        # own), which `script-src 'self'` allows without one. A stored page must not hand one
        # visitor's nonce to the next; an empty nonce leaves both the body (`dsfr_js` writes
        # no nonce attribute) and the CSP header (django-csp adds a nonce only once one was
        # drawn) without any. tests/public_cache/test_csp.py keeps pages free of inline scripts.
        request.csp_nonce = ""
        encoding = compression.negotiate(request)
        variant = "|".join(
            (
                encoding,
                "htmx" if request.headers.get("HX-Request") == "true" else "page",
                "html" if "text/html" in request.headers.get("Accept", "") else "any",
                timezone.localdate().isoformat() if scope in versions.DATED_SCOPES else "",
            )
        )
        key = keys.build(scope, versions.current(scope), request.path, query, variant)
        if key.etag in parse_etags(request.headers.get("If-None-Match", "")):
            return self._not_modified(key)
        stored = caches[settings.PUBLIC_CACHE_ALIAS].get(key.cache_key)
        if stored is not None:
            return self._replay(stored)
        response = self.get_response(request)
        if self._storable(request, response):
            self._prepare(request, response, encoding, key)
            headers = [(name, value) for name, value in response.items() if name.lower() not in UNSTORED_HEADERS]
            caches[settings.PUBLIC_CACHE_ALIAS].set(key.cache_key, (headers, response.content), settings.PUBLIC_CACHE_SECONDS)
        elif response.status_code == 200 and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_cache=True)  # e.g. a form with its CSRF token
        return response

    def _scope(self, request) -> str | None:
        if request.method not in ("GET", "HEAD") or not settings.PUBLIC_CACHE_SECONDS:
            return None
        try:
            return scope_of(resolve(request.path_info).func)
        except Resolver404:
            return None

    def _storable(self, request, response) -> bool:
        return response.status_code == 200 and not response.streaming and compression.is_public(request, response)

    def _prepare(self, request, response, encoding, key):
        """Compress once for this variant, then the headers of a shared, revalidated answer."""
        compression.encode(request, response, encoding)
        _drop_vary(response, "Cookie")  # the same for every anonymous visitor (personal requests bypass the cache)
        patch_vary_headers(response, ("Accept-Encoding", "HX-Request"))
        response["ETag"] = key.etag
        response["Cache-Control"] = "public, no-cache"
        response["Content-Length"] = str(len(response.content))

    def _replay(self, stored) -> HttpResponse:
        headers, body = stored
        response = HttpResponse(body)
        for name, value in headers:
            response[name] = value
        return response

    def _not_modified(self, key) -> HttpResponse:
        response = HttpResponseNotModified()
        response["ETag"] = key.etag
        response["Cache-Control"] = "public, no-cache"
        response["Vary"] = "Accept-Encoding, HX-Request, Accept"
        return response


def _drop_vary(response, header: str) -> None:
    if not response.has_header("Vary"):
        return
    kept = [v.strip() for v in response["Vary"].split(",") if v.strip() and v.strip().lower() != header.lower()]
    if kept:
        response["Vary"] = ", ".join(kept)
    else:
        del response["Vary"]
