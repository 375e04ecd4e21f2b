"""The site's URLs, plus public reads that misbehave: one uses a CSRF token, one sets a cookie."""

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import path

from config.urls import urlpatterns as site
from tpj.core.public_cache.marking import public_read
from tpj.core.public_cache.versions import REGISTRY

BODY = "<p>" + "Une page publique assez longue pour être compressée. " * 40 + "</p>"


def with_csrf_token(request):
    return HttpResponse(f'<form method="post"><input name="csrfmiddlewaretoken" value="{get_token(request)}">{BODY}</form>')


def with_cookie(request):
    response = HttpResponse(BODY)
    response.set_cookie("choix", "carte")
    return response


def plain(request):
    return HttpResponse(BODY)


urlpatterns = [
    path("essai/jeton/", public_read(REGISTRY)(with_csrf_token)),
    path("essai/cookie/", public_read(REGISTRY)(with_cookie)),
    path("essai/simple/", public_read(REGISTRY)(plain)),
    *site,
]
