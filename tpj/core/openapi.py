"""drf-spectacular post-processing: document the error responses every operation can give.

DRF views answer 400 (validation), 401 (bad or missing credentials), 403 (policy refusal),
404 (unknown object or page), 415 (unreadable body) and 429 (throttling) with a French JSON body; the generated
schema only lists the success code. Clients (and the schemathesis fuzzing in
tests/reliability) rely on the schema saying which codes exist.
"""

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
