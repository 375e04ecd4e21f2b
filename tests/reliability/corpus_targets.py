"""Where the bad-input corpus is injected: forms and API endpoints, each with a valid base
payload into which one field at a time is poisoned."""

import gzip
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"

ENGLISH = re.compile(
    r"\b(This field|Enter a|Ensure this|is not a valid|must be|Invalid|not allowed|A valid|required|Select a valid|"
    r"No file|The submitted|Upload a valid|Not a valid|has no more than|Null characters)\b"
)


def load(name: str) -> list[dict]:
    return json.loads((CORPUS / name).read_text(encoding="utf-8"))["cases"]


def materialise(value):
    """Corpus values may describe big strings instead of spelling them out."""
    if isinstance(value, dict) and "repeat" in value:
        return value["repeat"] * value["times"] + value.get("suffix", "")
    return value


@dataclass
class Target:
    name: str
    role: str
    method: str
    path: str  # may contain {measure_pk}
    base: dict
    api: bool = True
    text_fields: tuple = ()
    # corpus field (identifiers/numbers) -> (payload path, error key)
    typed_fields: dict = field(default_factory=dict)
    # error keys that also count as "field-level" for this target
    extra_error_keys: tuple = ()
    detail_page: str | None = None  # format string with {id}, rendered after an accepted write


def _entry_payload():
    return {
        "kind": "etablissement",
        "category": "creche",
        "name": "Crèche du corpus",
        "address": "1 rue de la Paix",
        "postal_code": "35000",
        "commune": "35238",
        "priorities": [{"number": 8, "description": "Accueil des enfants"}],
        "situations": [
            {
                "situation": 4,
                "trusting_body_name": "Conseil départemental",
                "trusting_body_kind": "collectivite",
                "reference_type": "agrement",
                "reference_value": "AGR-2024-001",
            }
        ],
        "contacts": [{"kind": "email", "value": "contact@example.fr", "is_public": True}],
    }


TARGETS = [
    Target(
        "token",
        "visitor",
        "POST",
        "/api/v1/auth/token/",
        {"email": "pro@fiabilite.example", "password": "mauvais-mot-de-passe"},
        text_fields=("email", "password"),
        typed_fields={"email": ("email", "email")},
        extra_error_keys=("non_field_errors",),
    ),
    Target(
        "signup",
        "visitor",
        "POST",
        "/comptes/inscription/",
        {
            "email": "nouvelle@fiabilite.example",
            "first_name": "Camille",
            "last_name": "Durand",
            "password1": "un-mot-de-passe-solide-42",
            "password2": "un-mot-de-passe-solide-42",
        },
        api=False,
        text_fields=("first_name", "last_name", "email"),
        typed_fields={"email": ("email", "email")},
    ),
    Target(
        "entry",
        "professional",
        "POST",
        "/api/v1/entries/",
        _entry_payload(),
        text_fields=("name", "address"),
        typed_fields={
            "siret": ("situations.0.reference_value", "situations"),
            "finess": ("situations.0.reference_value", "situations"),
            "rpps": ("situations.0.reference_value", "situations"),
            "insee": ("commune", "commune"),
            "postal_code": ("postal_code", "postal_code"),
        },
        detail_page="/annuaire/fiches/{id}/",
    ),
    Target(
        "deployment",
        "national_team",
        "POST",
        "/api/v1/measures/{measure_pk}/deployments/",
        {
            "region": "53",
            "title": "Unité parents-bébé du corpus",
            "carrier": "CHU de Rennes",
            "date": "2021-09-01",
            "quantity": 1,
            "amount": "150000.00",
            "notes": "",
        },
        text_fields=("title", "carrier", "notes"),
        typed_fields={
            "amount": ("amount", "amount"),
            "quantity": ("quantity", "quantity"),
            "date": ("date", "date"),
            "region": ("region", "region"),
            "insee": ("commune", "commune"),
        },
        detail_page="/valorisation/mesures/unites-parents-bebe/",
    ),
    Target("communes-api", "visitor", "GET", "/api/v1/communes/", {"q": "Rennes"}, text_fields=("q",)),
    Target("communes-autocomplete", "visitor", "GET", "/territoires/communes/", {"q": "Rennes"}, api=False, text_fields=("q",)),
    Target("directory-search", "visitor", "GET", "/annuaire/", {"q": "crèche"}, api=False, text_fields=("q",)),
    # Module 4: a training organisation's registration, the search of sessions (page and API)
    Target(
        "training-organisation",
        "professional",
        "POST",
        "/formations/organismes/inscrire/",
        {
            "name": "Institut de formation du corpus",
            "siret": "35600000000048",
            "activity_number": "53350000035",
            "qualiopi": "on",
            "qualiopi_date": "2022-03-01",
            "commune": "35238",
        },
        api=False,
        text_fields=("name", "activity_number"),
        typed_fields={"insee": ("commune", "commune"), "date": ("qualiopi_date", "qualiopi_date")},
    ),
    Target(
        "training-organisation-api",
        "professional",
        "POST",
        "/api/v1/training/organisations/",
        {
            "nom": "Institut de formation du corpus",
            "siret": "35600000000048",
            "numero_declaration_activite": "53350000035",
            "qualiopi": True,
            "date_qualiopi": "2022-03-01",
            "commune": "35238",
        },
        text_fields=("nom", "numero_declaration_activite"),
        typed_fields={"insee": ("commune", "commune"), "date": ("date_qualiopi", "date_qualiopi")},
    ),
    Target("training-search", "visitor", "GET", "/formations/", {"q": "langage"}, api=False, text_fields=("q",)),
    Target(
        "training-sessions",
        "visitor",
        "GET",
        "/api/v1/training/sessions/",
        {"q": "langage"},
        text_fields=("q",),
        # (an empty région or date is no filter, by design: not a typed field here)
        typed_fields={"insee": ("autour", "autour")},
    ),
]

FILE_TARGETS = {
    "births": ("national_team", "/valorisation/mesures/repartitions/importer/", {"year": "2020", "source": "Corpus"}),
    "registry-import": ("moderator", "/annuaire/import/", {"source": "Réseau du corpus"}),
}


def file_bytes(kind: str) -> tuple[str, bytes]:
    """(file name, content) for a file case of the corpus."""
    if kind == "latin1-csv":
        return "naissances.csv", "region;naissances\n53;30000\n76;58000\n# Régions d'Outre-mer\n".encode("latin-1")
    if kind == "utf16-csv":
        return "naissances.csv", "region;naissances\n53;30000\n".encode("utf-16")
    if kind == "empty-file":
        return "vide.csv", b""
    if kind == "binary-as-csv":
        return "image.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    if kind == "html-as-csv":
        return "page.csv", b"<html><body><script>alert(1)</script></body></html>"
    if kind == "zip-bomb":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("bombe.csv", b"0" * 50_000_000)
        return "bombe.csv", buffer.getvalue()
    if kind == "gzip-bomb":
        return "bombe.csv", gzip.compress(b"0" * 50_000_000)
    if kind == "oversize":
        return "gros.csv", b"region;naissances\n" + b"53;1\n" * (13 * 1024 * 1024 // 5)
    if kind == "csv-formula":
        return "naissances.csv", b'region;naissances\n=HYPERLINK("http://x");1\n53;30000\n'
    raise ValueError(kind)
