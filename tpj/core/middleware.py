"""Request-level input rules that hold for every view.

ControlCharactersMiddleware applies the control-character rule (tpj.core.text) to what a
request carries before any view reads it:

- a path with a control character answers 404 (no URL of the site has one, and a `<str:…>`
  or router parameter would otherwise reach a query: a 500 on PostgreSQL for NUL);
- query strings (every view, API included: DRF's `query_params` is Django's `GET`) and the
  POST data of the site's own views lose their control characters. Tab and line breaks stay:
  forms make single-line fields single-line (tpj.core.forms.BoundField).

API bodies are read by DRF's parsers, not by Django: they refuse control characters with a
French 400 naming the field (tpj.core.parsers). File names are cleaned by Django's multipart
parser and by tpj.core.uploads.
"""

from django.http import Http404, QueryDict
from rest_framework.views import APIView

from .text import CONTROL_CHARACTERS, clean

NOT_FOUND = "Cette adresse contient un caractère de contrôle invisible : aucune page ne s'y trouve."


def clean_query_dict(data: QueryDict) -> QueryDict:
    """`data` itself when no key or value has a control character, else a cleaned copy."""
    if not any(CONTROL_CHARACTERS.search(key) or any(map(CONTROL_CHARACTERS.search, values)) for key, values in data.lists()):
        return data
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        cleaned.setlistdefault(clean(key), []).extend(clean(value) for value in values)
    cleaned._mutable = False
    return cleaned


def _is_api_view(view_func) -> bool:
    view_class = getattr(view_func, "cls", None)
    return isinstance(view_class, type) and issubclass(view_class, APIView)


class ControlCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if CONTROL_CHARACTERS.search(request.path_info):
            raise Http404(NOT_FOUND)
        request.GET = clean_query_dict(request.GET)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # DRF views parse their own body (a second parse of Django's would be ignored).
        if request.method not in ("GET", "HEAD", "OPTIONS") and not _is_api_view(view_func):
            request.POST = clean_query_dict(request.POST)
        return None
