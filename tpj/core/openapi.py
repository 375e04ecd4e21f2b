"""The API's OpenAPI schema (drf-spectacular): French texts written next to each view, and the
error responses every operation can give.

- `AutoSchema` (DEFAULT_SCHEMA_CLASS): an operation's description is only what its view
  declares with `extend_schema` — never the Python docstring, which is written in English
  for developers. Path parameters take their French description from the view's
  `path_parameters = {"id": "Numéro de la fiche"}`.
- `document(summary, description, access=…)`: `extend_schema` with the summary, the
  description and who may call the operation (« Accès : … », the last paragraph of the
  description, shown apart by the documentation page /api/v1/docs/).
- `document_error_responses`: DRF views answer 400 (validation), 401 (bad or missing
  credentials), 403 (policy refusal), 404 (unknown object or page), 415 (unreadable body)
  and 429 (throttling) with a French JSON body; the generated schema only lists the success
  code. Clients (and the schemathesis fuzzing in tests/reliability) rely on the schema saying
  which codes exist.

tests/foundation/test_openapi_french.py walks the generated schema: every operation has a
French summary, a description and its access, every parameter a French description.
"""

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema

ACCESS_PREFIX = "Accès : "
PUBLIC = "public, sans authentification."
SIGNED_IN = "tout compte connecté (jeton ou session)."


def document(summary: str, description: str, *, access: str, **kwargs):
    """`extend_schema` for one operation: a French summary (a short imperative line), a French
    description, and who may call it (`access`, a sentence)."""
    return extend_schema(summary=summary, description=f"{description}\n\n{ACCESS_PREFIX}{access}", **kwargs)


def split_access(description: str) -> tuple[str, str]:
    """(description, access) of a description written by `document`; access "" when absent."""
    head, found, access = (description or "").rpartition(f"\n\n{ACCESS_PREFIX}")
    return (head, access) if found else (description or "", "")


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema without docstrings in the schema, with French path parameters."""

    def get_description(self):
        return ""  # only what extend_schema declares: docstrings are English notes for developers

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        schema.pop("description", None)  # the serializer's docstring, an English note for developers
        return schema

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        texts = getattr(self.view, "path_parameters", {})
        for parameter in parameters:
            if parameter["name"] in texts:
                parameter["description"] = texts[parameter["name"]]
        return parameters


class TokenScheme(OpenApiAuthenticationExtension):
    """The platform's token authentication, described in French (drf-spectacular's text is English)."""

    target_class = "tpj.accounts.authentication.TokenAuthentication"
    name = "tokenAuth"
    match_subclasses = True

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Jeton d'accès dans l'en-tête `Authorization: Token <jeton>` ; il s'obtient par "
            "`POST /api/v1/auth/token/`.",
        }


ERROR_COMPONENT = "ErrorResponse"
ERROR_SCHEMA = {
    "type": "object",
    "description": "Erreur : `detail` (message en français) ou, pour une validation, un message par champ.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
ERROR_DESCRIPTIONS = {
    "400": "Requête invalide : un message en français par champ concerné.",
    "401": "Authentification requise ou jeton invalide.",
    "403": "Action refusée par la politique d'accès (le motif est dans `detail`).",
    "404": "Objet ou page introuvable (ou hors de votre périmètre).",
    "415": "Type de contenu non pris en charge (JSON, formulaire ou multipart attendu).",
    "429": "Trop de requêtes : réessayez plus tard.",
}


def _error_codes(path: str, method: str, operation: dict) -> list[str]:
    codes = ["401", "403"]
    if method in ("post", "put", "patch") or operation.get("parameters"):
        codes.append("400")
    if method in ("post", "put", "patch"):
        codes.append("415")
    if "{" in path or any(p.get("name") == "page" for p in operation.get("parameters", [])) or method != "post":
        codes.append("404")
    if method != "get":
        codes.append("429")
    return codes


def document_error_responses(result, generator, request, public):
    """POSTPROCESSING_HOOKS entry adding the error responses to each operation."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code in _error_codes(path, method, operation):
                operation["responses"].setdefault(
                    code, {"description": ERROR_DESCRIPTIONS[code], "content": {"application/json": {"schema": reference}}}
                )
    return result
