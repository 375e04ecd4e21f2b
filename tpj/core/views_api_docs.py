"""/api/v1/docs/: the API's documentation, a DSFR page generated from the OpenAPI schema.

The page is rendered server-side from the same schema as /api/v1/schema/ (drf-spectacular):
the site's layout, an introduction (token, limits, pagination, errors), a summary by tag, and
for each operation its method and path, French summary and description, who may call it,
its parameters, request body fields, responses and response fields. No JavaScript of its own.
"""

import functools
import json
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.views.generic import TemplateView
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from .api import Pagination
from .openapi import ERROR_DESCRIPTIONS, split_access

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
METHOD_LABELS = {"get": "lecture", "post": "envoi", "put": "remplacement", "patch": "modification", "delete": "suppression"}
STATUS_LABELS = {
    "200": "Succès",
    "201": "Créé",
    "204": "Succès, sans contenu",
    "400": "Requête invalide",
    "401": "Authentification requise",
    "403": "Accès refusé",
    "404": "Introuvable",
    "405": "Méthode non autorisée",
    "409": "Conflit",
    "415": "Type de contenu non pris en charge",
    "429": "Trop de requêtes",
}
FORMATS = {
    "date": "date (AAAA-MM-JJ)",
    "date-time": "date et heure (ISO 8601)",
    "email": "adresse e-mail",
    "uri": "adresse web (URL)",
    "uuid": "identifiant UUID",
    "decimal": "nombre décimal (en texte)",
    "double": "nombre",
    "float": "nombre",
    "binary": "fichier",
}
TYPES = {"integer": "entier", "number": "nombre", "boolean": "booléen", "string": "texte", "object": "objet"}
MAX_DEPTH = 3
_CODE = re.compile(r"`([^`]+)`")


def inline_markup(text: str) -> SafeString:
    """Escaped text where `code` becomes <code>; the schema's texts use no other markup."""
    return mark_safe(_CODE.sub(r"<code>\1</code>", escape(text or "")))


def paragraphs(text: str) -> list[SafeString]:
    return [inline_markup(part.strip()) for part in re.split(r"\n\s*\n", text or "") if part.strip()]


@dataclass
class Field:
    name: str
    type: str
    required: bool
    description: SafeString


@dataclass
class Response:
    code: str
    label: str
    description: SafeString


@dataclass
class Operation:
    anchor: str
    method: str
    method_label: str
    path: str
    summary: str
    description: list[SafeString]
    access: SafeString
    parameters: list[Field]
    body: list[Field]
    body_types: list[str]
    responses: list[Response]
    response_fields: list[Field]


@dataclass
class Tag:
    name: str
    anchor: str
    description: str
    operations: list[Operation] = field(default_factory=list)


class _Schema:
    """Reads one generated OpenAPI document: $ref resolution, French type names, fields."""

    def __init__(self, document: dict):
        self.document = document
        self.components = document.get("components", {}).get("schemas", {})

    def resolve(self, schema: dict) -> dict:
        seen = 0
        while isinstance(schema, dict) and seen < 10:
            if "$ref" in schema:
                schema = self.components.get(schema["$ref"].rsplit("/", 1)[-1], {})
            elif len(schema.get("allOf", [])) == 1:
                schema = {**schema["allOf"][0], **{k: v for k, v in schema.items() if k != "allOf"}}
            elif schema.get("oneOf"):
                schema = next((s for s in schema["oneOf"] if s.get("type") != "null" and s != {}), schema["oneOf"][0])
            else:
                return schema
            seen += 1
        return schema or {}

    def type_label(self, schema: dict) -> str:
        nullable = schema.get("nullable", False)
        schema = self.resolve(schema)
        nullable = nullable or schema.get("nullable", False)
        if "enum" in schema:
            values = [str(v) for v in schema["enum"] if v not in ("", None)]
            label = "choix : " + ", ".join(values)
        elif schema.get("type") == "array":
            label = f"liste de : {self.type_label(schema.get('items', {}))}"
        elif schema.get("format") in FORMATS:
            label = FORMATS[schema["format"]]
        else:
            label = TYPES.get(schema.get("type"), "valeur libre")
        return f"{label}, ou null" if nullable else label

    def fields(self, schema: dict, prefix: str = "", depth: int = 0) -> list[Field]:
        """The fields of an object (or of a list's items), nested ones flattened as `parent[].child`."""
        schema = self.resolve(schema)
        if schema.get("type") == "array":
            schema = self.resolve(schema.get("items", {}))
        required = set(schema.get("required", []))
        rows = []
        for name, prop in schema.get("properties", {}).items():
            resolved = self.resolve(prop)
            if "enum" in resolved:  # the enum component's text is a Markdown list of its values: the type shows them
                text = prop.get("description") or prop.get("title") or ""
            else:
                text = prop.get("description") or resolved.get("description") or prop.get("title") or resolved.get("title")
            rows.append(Field(f"{prefix}{name}", self.type_label(prop), name in required, inline_markup(text or "")))
            is_list = resolved.get("type") == "array"
            nested = self.resolve(resolved.get("items", {})) if is_list else resolved
            if depth < MAX_DEPTH and nested.get("properties"):
                rows += self.fields(nested, f"{prefix}{name}{'[]' if is_list else ''}.", depth + 1)
        return rows

    def parameters(self, operation: dict) -> list[Field]:
        places = {"path": "dans le chemin", "query": "dans l'adresse", "header": "en-tête"}
        return [
            Field(
                p["name"],
                f"{self.type_label(p.get('schema', {}))} ({places.get(p['in'], p['in'])})",
                bool(p.get("required")),
                inline_markup(p.get("description", "")),
            )
            for p in operation.get("parameters", [])
        ]

    def body(self, operation: dict) -> tuple[list[Field], list[str]]:
        content = operation.get("requestBody", {}).get("content", {})
        if not content:
            return [], []
        media = "application/json" if "application/json" in content else next(iter(content))
        return self.fields(content[media].get("schema", {})), list(content)

    def responses(self, operation: dict) -> tuple[list[Response], list[Field]]:
        responses, fields = [], []
        for code, response in sorted(operation.get("responses", {}).items()):
            description = response.get("description", "")
            if code.startswith("2"):
                if description in ("", "No response body"):
                    description = "Réponse sans corps." if not response.get("content") else ""
                if not fields and response.get("content"):
                    schema = next(iter(response["content"].values())).get("schema", {})
                    fields = self.fields(schema)
            responses.append(Response(code, STATUS_LABELS.get(code, f"Code {code}"), inline_markup(description)))
        return responses, fields


def _operation(reader: _Schema, path: str, method: str, operation: dict) -> Operation:
    description, access = split_access(operation.get("description", ""))
    body, body_types = reader.body(operation)
    responses, response_fields = reader.responses(operation)
    return Operation(
        anchor=f"op-{slugify(operation.get('operationId') or f'{method}-{path}')}",
        method=method.upper(),
        method_label=METHOD_LABELS[method],
        path=path,
        summary=operation.get("summary") or f"{method.upper()} {path}",  # the schema test requires a summary
        description=paragraphs(description),
        access=inline_markup(access),
        parameters=reader.parameters(operation),
        body=body,
        body_types=body_types,
        responses=responses,
        response_fields=response_fields,
    )


def build(document: dict) -> list[Tag]:
    """The schema's operations grouped by tag, in the order of SPECTACULAR_SETTINGS["TAGS"]."""
    reader = _Schema(document)
    tags = {t["name"]: Tag(t["name"], f"tag-{slugify(t['name'])}", t.get("description", "")) for t in document.get("tags", [])}
    for path, item in document.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method in item:
                operation = item[method]
                name = (operation.get("tags") or ["Autres opérations"])[0]
                tag = tags.setdefault(name, Tag(name, f"tag-{slugify(name)}", ""))
                tag.operations.append(_operation(reader, path, method, operation))
    return [tag for tag in tags.values() if tag.operations]


@functools.cache
def schema_document() -> dict:
    """The generated schema as plain JSON data (generated once per process: it only changes with the code)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


def _rate(scope: str) -> str:
    rate = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(scope, "")
    count, _, period = rate.partition("/")
    periods = {"second": "seconde", "minute": "minute", "hour": "heure", "day": "jour"}
    return f"{count} requêtes par {periods.get(period, period)}" if count else ""


class ApiDocsView(TemplateView):
    template_name = "core/api_docs.html"

    def get_context_data(self, **kwargs):
        document = schema_document()
        tags = build(document)
        anchors = {(op.method, op.path): op.anchor for tag in tags for op in tag.operations}
        return {
            **super().get_context_data(**kwargs),
            "info": document.get("info", {}),
            "tags": tags,
            "token_anchor": anchors.get(("POST", "/api/v1/auth/token/"), ""),
            "me_anchor": anchors.get(("GET", "/api/v1/me/"), ""),
            "errors": [(code, STATUS_LABELS[code], inline_markup(text)) for code, text in ERROR_DESCRIPTIONS.items()],
            "page_size": settings.REST_FRAMEWORK.get("PAGE_SIZE"),
            "max_page_size": Pagination.max_page_size,
            "login_rate": _rate("login"),
        }
