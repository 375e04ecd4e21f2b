"""The API's JSON parser: size and depth bounded BEFORE parsing, French errors, objects only.

DRF's JSONParser hands the body to `json.load`, whose C scanner recurses once per nesting
level: a few kilobytes of `[[[[…` end in a RecursionError (a 500). Here the body is read up
to a size limit, its nesting depth is measured by an iterative scan of the brackets outside
strings, and only then parsed. A state-changing request (POST, PUT, PATCH) must send a JSON
object: every serializer of the API expects one, and a list, a string, a number or `null`
would otherwise reach views and services that read it as a mapping.

No text of a body may carry a control character (tpj.core.text: C0 but tab and line breaks,
DEL, C1, lone surrogates): the body is refused with a French 400 that names each field
(`{"situations.0.reference_value": ["… (U+001B) …"]}`, keys included), before any view
reads it. The form and multipart parsers below apply the same check.

Settings: API_JSON_MAX_BYTES (default 2 Mio: a text field of a million characters still gets
its field-level message from the serializer) and API_JSON_MAX_DEPTH (default 32).
"""

import codecs
import json
import re

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

from .text import control_message, first_control

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_DEPTH = 32
OBJECT_METHODS = frozenset({"POST", "PUT", "PATCH"})

NOT_AN_OBJECT = "Le corps de la requête doit être un objet JSON."
MAX_CONTROL_ERRORS = 20

# A JSON string (unrolled loop: no ambiguous repetition, so no catastrophic backtracking),
# or one bracket. Brackets inside strings are thereby skipped.
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def max_bytes() -> int:
    return getattr(settings, "API_JSON_MAX_BYTES", DEFAULT_MAX_BYTES)


def max_depth() -> int:
    return getattr(settings, "API_JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH)


def check_depth(text: str, limit: int) -> None:
    """Raise ParseError if arrays/objects nest deeper than `limit`; iterative, never recursive.

    Unbalanced brackets are left to the parser (a syntax error); only the depth reached
    while scanning matters, so `[[[[` without any closing bracket is refused here too.
    """
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > limit:
                raise ParseError(
                    f"Le corps de la requête imbrique plus de {limit} niveaux de listes ou d'objets JSON : "
                    "simplifiez sa structure."
                )
        elif token in ("]", "}"):
            depth -= 1


def _size(limit: int) -> str:
    return (
        f"{limit // (1024 * 1024)} Mo" if limit >= 1024 * 1024 else f"{limit // 1024} Ko" if limit >= 1024 else f"{limit} octets"
    )


def _syntax_error(error: ValueError) -> ParseError:
    if isinstance(error, json.JSONDecodeError):
        return ParseError(
            f"Le corps de la requête n'est pas un JSON valide (ligne {error.lineno}, colonne {error.colno}) : "
            "vérifiez les guillemets doubles, les virgules et les accolades."
        )
    return ParseError("Le corps de la requête n'est pas un JSON valide : vérifiez sa syntaxe et la taille de ses nombres.")


def _encoding(parser_context) -> str:
    encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
    try:
        "".encode(encoding)  # refuses bytes-to-bytes codecs (bz2_codec…), as DRF does
        codecs.lookup(encoding)
    except (LookupError, UnicodeError):
        raise ParseError(
            f"Jeu de caractères « {encoding} » non pris en charge dans l'en-tête Content-Type : envoyez le corps en UTF-8."
        ) from None
    return encoding


def _method(parser_context) -> str:
    request = parser_context.get("request")
    return (getattr(request, "method", "") or "").upper()


def _texts(data):
    """(path, text) for every key and string of a parsed body; iterative (no recursion)."""
    stack = [("", data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, str):
            yield path, node
        elif isinstance(node, dict):
            for key, value in node.items():
                child = f"{path}.{key}" if path else str(key)
                if isinstance(key, str):
                    yield child, key
                stack.append((child, value))
        elif isinstance(node, (list, tuple)):
            stack.extend((f"{path}.{index}" if path else str(index), value) for index, value in enumerate(node))


def check_controls(data) -> None:
    """Raise a French ValidationError naming every field (dotted path) whose text carries a
    control character; `data` is a parsed JSON body or a QueryDict (form fields)."""
    if hasattr(data, "lists"):  # QueryDict: every value of every key
        data = dict(data.lists())
    errors = {}
    for path, text in _texts(data):
        char = first_control(text)
        if char is not None:
            name = "".join(c for c in path if first_control(c) is None) or "non_field_errors"
            errors.setdefault(name, [control_message(char, f"Le champ « {name} »")])
            if len(errors) >= MAX_CONTROL_ERRORS:
                break
    if errors:
        raise ValidationError(errors)


class FormParser(parsers.FormParser):
    """DRF's form parser, refusing control characters as the JSON parser does."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        check_controls(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser, refusing control characters in its fields as the JSON parser
    does (file names are cleaned by Django's parser)."""

    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        check_controls(result.data)
        return result


class JSONParser(parsers.JSONParser):
    """DRF's JSONParser, bounded in size and depth, with French messages.

    A view that really takes a top-level list or scalar sets `json_body_may_be_any = True`.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = _encoding(parser_context)
        limit = max_bytes()
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ParseError(
                f"Le corps de la requête dépasse la taille maximale de {_size(limit)} : "
                "envoyez moins de données ou découpez l'envoi."
            )
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            raise ParseError(f"Le corps de la requête n'est pas un texte {encoding} valide : envoyez-le en UTF-8.") from None
        check_depth(text, max_depth())
        try:
            data = json.loads(text, parse_constant=self._refuse_constant if self.strict else None)
        except RecursionError:  # cannot happen below the depth limit; never a 500 anyway
            raise ParseError("Le corps de la requête imbrique trop de niveaux : simplifiez sa structure.") from None
        except ValueError as error:
            raise _syntax_error(error) from None
        view = parser_context.get("view")
        if (
            _method(parser_context) in OBJECT_METHODS
            and not isinstance(data, dict)
            and not getattr(view, "json_body_may_be_any", False)
        ):
            raise ParseError(NOT_AN_OBJECT)
        check_controls(data)
        return data

    @staticmethod
    def _refuse_constant(name):
        raise ValueError(f"{name} n'est pas une valeur JSON")
