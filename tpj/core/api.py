"""API conventions shared by every app: pagination and French JSON errors."""

import logging
from contextlib import nullcontext

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, transaction
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.decorators import method_decorator
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS
from rest_framework.views import exception_handler as drf_exception_handler

from tpj.core.errors import Conflict
from tpj.core.form_fields import ID_MAX
from tpj.core.policy import PermissionDenied as PolicyDenied
from tpj.core.validators import bounded_list, implausible_date_message, plausible_date

logger = logging.getLogger(__name__)

NOT_FOUND = "Ressource introuvable : aucun objet ne correspond à cette adresse, ou il est hors de votre périmètre."
MULTIPART_INVALID = (
    "Le corps multipart/form-data est mal formé (délimiteur « boundary » absent ou invalide, partie incomplète) : "
    "vérifiez l'en-tête Content-Type et le corps envoyé."
)
TOO_LARGE = (
    "Une valeur envoyée est trop grande pour être enregistrée (nombre ou identifiant hors limites) : "
    "vérifiez les nombres et les identifiants de la requête."
)


class BadInput(exceptions.APIException):
    """A 400 for input the serializers let through but the database cannot hold."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = TOO_LARGE
    default_code = "invalid"


class IdField(serializers.IntegerField):
    """An id sent by a client: a positive integer within the database's range (BigAutoField),
    refused by the serializer with a French message before any query is made."""

    MAX = ID_MAX
    default_error_messages = {
        "invalid": "Identifiant attendu : un nombre entier.",
        "min_value": "Identifiant invalide : un nombre entier positif est attendu.",
        "max_value": "Identifiant trop grand : aucun objet ne porte ce numéro.",
        "max_string_length": "Identifiant trop long.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", self.MAX)
        super().__init__(**kwargs)


class ChoiceField(serializers.ChoiceField):
    """A choice whose refusal names the accepted values, in French (the 400 is keyed by the field)."""

    def __init__(self, choices, **kwargs):
        super().__init__(choices, **kwargs)
        accepted = ", ".join(str(key) for key in self.choices)
        self.error_messages["invalid_choice"] = f"« {{input}} » n'est pas une valeur acceptée. Valeurs possibles : {accepted}."


class PlausibleDateField(serializers.DateField):
    """A date between 2000-01-01 and ten years from today (tpj.core.validators.plausible_date)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validators", []).append(plausible_date)
        super().__init__(**kwargs)


class PlausibleDateTimeField(serializers.DateTimeField):
    """A date-time whose day is plausible; year 1 or 9999 (which overflow once made timezone-aware)
    is refused with the same French message, not a 500."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validators", []).append(plausible_date)
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        try:
            return super().to_internal_value(value)
        except OverflowError:
            raise serializers.ValidationError(implausible_date_message(), code="implausible_date") from None


def bounded_many(serializer: serializers.Serializer, bound: int, **kwargs) -> serializers.ListSerializer:
    """A nested list of `serializer` items holding at most `bound` of them (shown as maxItems)."""
    return serializers.ListSerializer(child=serializer, **bounded_list(bound), **kwargs)


class ConflictResponse(exceptions.APIException):
    """A 409: the request collides with what is already recorded (tpj.core.errors.Conflict)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "Cette action entre en conflit avec l'état actuel : rechargez la page."
    default_code = "conflict"


class TransactionForWritesOnly:
    """A viewset mixin: reads run outside a transaction, writes inside one, as
    ATOMIC_REQUESTS would run them.

    A list and a creation share one address, so one view: `non_atomic_requests` alone would
    take both out of their transaction. On PostgreSQL the transaction of a read costs two
    round trips (BEGIN, COMMIT) and protects nothing: a read writes nothing, and each of
    its statements sees the data as committed when it starts, with or without it."""

    @method_decorator(transaction.non_atomic_requests)
    def dispatch(self, request, *args, **kwargs):
        # A read called inside a transaction already open (a test's) still gets a block of
        # its own: DRF marks the innermost block for rollback on an error answer (404…), and
        # must not mark the caller's. A request served in production has none open: no cost.
        read_alone = request.method in SAFE_METHODS and not transaction.get_connection().in_atomic_block
        with nullcontext() if read_alone else transaction.atomic():
            return super().dispatch(request, *args, **kwargs)


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def validation_error_detail(error: DjangoValidationError):
    """Turn a Django ValidationError into DRF's {field: [messages]} shape."""
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if key == "__all__" else key): [str(m) for e in errors for m in e.messages]
            for key, errors in error.error_dict.items()
        }
    return {"non_field_errors": [str(m) for m in error.messages]}


def exception_handler(exc, context):
    """DRF's handler, plus model-level validation and policy refusals as clean 4xx.

    An integer beyond the database's range (10^20 as an id: OverflowError on SQLite,
    DataError on PostgreSQL) is the client's input, not a server fault: a French 400. The
    request's transaction is rolled back all the same (DRF marks it when a response is made).
    """
    if isinstance(exc, (OverflowError, DataError)):
        logger.warning("Valeur hors limites refusée (400) : %s", exc)
        exc = BadInput()
    elif isinstance(exc, Conflict):
        exc = ConflictResponse(" ".join(exc.messages))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_error_detail(exc))
    elif isinstance(exc, PolicyDenied):
        exc = exceptions.PermissionDenied(str(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, Http404):  # get_object_or_404's « No Region matches the given query. » is English
        exc = exceptions.NotFound(NOT_FOUND)
    elif isinstance(exc, exceptions.ParseError) and isinstance(exc.__context__, MultiPartParserError):
        exc = exceptions.ParseError(MULTIPART_INVALID)  # DRF's « Multipart form parse error - … » is English
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if response.status_code == status.HTTP_401_UNAUTHORIZED and "detail" not in (response.data or {}):
        response.data = {"detail": "Authentification requise."}
    return response
