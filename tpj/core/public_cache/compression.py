"""Compression of JSON and public HTML, and the one rule that keeps secrets uncompressed.

BREACH: an attacker who can inject text into a compressed response and watch its size
learns, byte by byte, a secret that sits beside the injection (a CSRF token, a session-bound
value). So only a response identical for every anonymous visitor is compressed or shared
(`is_public`): never one that used a CSRF token, set a cookie, is `private`, or answers a
request carrying a session, a flash message or credentials.
"""

import gzip

import brotli
from django.conf import settings
from django.utils.cache import patch_vary_headers

# Compressed only above this size: below it, the headers outweigh the gain.
MIN_SIZE = 512
# Compressed once when stored in the public cache, so a stronger setting costs nothing per
# hit; on the uncached path (compress_response) the same levels stay a few milliseconds at
# most for the largest pages.
BROTLI_QUALITY = 5
GZIP_LEVEL = 6
COMPRESSIBLE_TYPES = ("text/html", "application/json")


def personal_request(request) -> bool:
    """Whether the request may be answered with something personal: a session (a logged-in
    user, or one holding flash messages), a message cookie, or credentials (API token).
    Decided from the request alone, with no session lookup."""
    cookies = request.COOKIES
    return (
        settings.SESSION_COOKIE_NAME in cookies
        or getattr(settings, "MESSAGE_COOKIE_NAME", "messages") in cookies
        or "HTTP_AUTHORIZATION" in request.META
    )


def is_public(request, response) -> bool:
    """The one rule for sharing or compressing a response: the same for every anonymous
    visitor, carrying no secret (see the module's docstring)."""
    cache_control = response.get("Cache-Control", "")
    return (
        request.method in ("GET", "HEAD")
        and not personal_request(request)
        and not request.META.get("CSRF_COOKIE_USED")
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


def negotiate(request) -> str:
    """The encoding to send: brotli if the client accepts it, else gzip, else none."""
    accepted = {}
    for part in request.headers.get("Accept-Encoding", "").lower().split(","):
        name, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        accepted[name.strip()] = quality
    for encoding in ("br", "gzip"):
        if accepted.get(encoding, 0) > 0:
            return encoding
    return "identity"


def compressible(request, response) -> bool:
    """Whether the response is worth compressing and allowed to be (`is_public`)."""
    content_type = response.get("Content-Type", "").split(";")[0].strip()
    return (
        response.status_code == 200
        and not response.streaming
        and not response.has_header("Content-Encoding")
        and (content_type in COMPRESSIBLE_TYPES or content_type.endswith("+json"))
        and len(response.content) >= MIN_SIZE
        and is_public(request, response)
    )


def compress(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(body, quality=BROTLI_QUALITY)
    if encoding == "gzip":
        return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
    return body


def encode(request, response, encoding: str):
    """Compress the response in place for `encoding` when allowed; says Vary: Accept-Encoding
    whenever the answer depends on it."""
    if not compressible(request, response):
        return response
    patch_vary_headers(response, ("Accept-Encoding",))
    if encoding == "identity":
        return response
    body = compress(response.content, encoding)
    if len(body) >= len(response.content):
        return response
    response.content = body
    response["Content-Encoding"] = encoding
    response["Content-Length"] = str(len(body))
    if response.has_header("ETag") and not response["ETag"].startswith("W/"):
        response["ETag"] = "W/" + response["ETag"]  # another representation of the same content
    return response


class CompressionMiddleware:
    """Compresses the public JSON and HTML that the public cache did not serve (pages not
    marked public_read, variants not stored), under the same rule (`is_public`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        return encode(request, response, negotiate(request))
