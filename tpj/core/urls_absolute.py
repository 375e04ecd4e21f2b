"""Absolute addresses of the site's pages, from `settings.SITE_URL` alone.

Every absolute link the platform writes (e-mails sent by workers, QR codes, the verification
page, open-data catalogue addresses, permalinks, exports) is built here: a worker has no
request to ask its host, and a page must name the address the public uses, not the one a
node behind the load balancer was reached by. `make demo HOST=…` sets SITE_URL; production
requires it.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse


def site_url() -> str:
    """The public root of the site, without a trailing slash ("https://1000jours.example")."""
    return settings.SITE_URL.rstrip("/")


def absolute_url(path: str) -> str:
    """`path` (a site path such as "/annuaire/") prefixed with the public root of the site."""
    return site_url() + "/" + path.lstrip("/")


def absolute_reverse(viewname: str, args=None, kwargs=None) -> str:
    """The absolute address of a named route: `reverse(viewname, args, kwargs)` under SITE_URL."""
    return absolute_url(reverse(viewname, args=args, kwargs=kwargs))


def site_protocol_and_domain() -> tuple[str, str]:
    """("https", "1000jours.example[:port][/prefix]") from SITE_URL, for templates written as
    `{{ protocol }}://{{ domain }}{% url … %}` (Django's password reset e-mail)."""
    parts = urlsplit(site_url())
    return parts.scheme or "https", parts.netloc + parts.path
