"""The OpenAPI schema speaks French: every operation of the generated schema (new ones
included) has a French summary, a French description saying who may call it, a declared
French tag, and every parameter a French description. No English docstring leaks.

"English" is a small heuristic: a sentence using one of the unmistakable English words
(the, and, of, with…), or two of the commoner ones (an, to, by, list…).
"""

import re

import pytest

from tests.reliability.openapi import HTTP_METHODS, openapi_schema, operations
from tpj.core.openapi import ACCESS_PREFIX

ENGLISH_MARKERS = {"the", "and", "of", "with", "for", "returns", "retrieve", "partial", "update", "delete", "create"}
ENGLISH_WORDS = {"an", "to", "by", "is", "are", "be", "this", "that", "from", "its", "their", "each", "every", "list", "when"}
# DRF's and drf-spectacular's generated French for a model's key is not French anyone writes.
MACHINE_FRENCH = re.compile(r"\b\w+\((une|cette)\)", re.IGNORECASE)


def english_sentences(text: str) -> list[str]:
    """The sentences of `text` (code spans removed) that read as English."""
    found = []
    for sentence in re.split(r"[.;:!?\n]+", re.sub(r"`[^`]*`", "", text or "")):
        words = [w.lower() for w in re.findall(r"[A-Za-z]+(?:'[a-z]+)?", sentence)]
        if set(words) & ENGLISH_MARKERS or sum(w in ENGLISH_WORDS for w in words) >= 2:
            found.append(sentence.strip())
    return found


def _operation(method: str, path: str) -> dict:
    return openapi_schema()["paths"][path][method.lower()]


def test_the_heuristic_tells_english_from_french():
    assert english_sentences("Regional calls for projects. Published calls are public.")
    assert english_sentences("Exchange an e-mail and password for an API token")
    assert english_sentences("Send the entry to moderation (members).")
    assert not english_sentences("Les fiches vérifiées, 20 par page ; un an de données, on le sait, a un coût.")
    assert not english_sentences("Remplace le contenu par `the list of items` envoyé.")


@pytest.mark.parametrize(("method", "path"), operations())
def test_every_operation_has_a_french_summary_and_description_with_its_access(method, path):
    operation = _operation(method, path)
    summary, description = operation.get("summary", ""), operation.get("description", "")
    assert summary.strip(), f"{method} {path} : pas de résumé (extend_schema / tpj.core.openapi.document)"
    assert description.strip(), f"{method} {path} : pas de description"
    assert f"\n\n{ACCESS_PREFIX}" in description, f"{method} {path} : la description ne dit pas qui peut l'appeler"
    assert english_sentences(summary) == [], f"{method} {path} : résumé en anglais"
    assert english_sentences(description) == [], f"{method} {path} : description en anglais"


@pytest.mark.parametrize(("method", "path"), operations())
def test_every_parameter_has_a_french_description(method, path):
    for parameter in _operation(method, path).get("parameters", []):
        text = parameter.get("description", "")
        label = f"{method} {path}, paramètre « {parameter['name']} »"
        assert text.strip(), f"{label} : pas de description"
        assert english_sentences(text) == [], f"{label} : description en anglais"
        assert not MACHINE_FRENCH.search(text), f"{label} : « {text} » (texte généré, à écrire dans la vue)"


def test_every_operation_has_one_declared_tag_described_in_french():
    schema = openapi_schema()
    declared = {tag["name"]: tag.get("description", "") for tag in schema.get("tags", [])}
    assert declared and all(text.strip() and not english_sentences(text) for text in declared.values())
    untagged = [
        f"{method.upper()} {path} {item[method].get('tags')}"
        for path, item in schema["paths"].items()
        for method in HTTP_METHODS
        if method in item and (len(item[method].get("tags", [])) != 1 or item[method]["tags"][0] not in declared)
    ]
    assert untagged == []


def test_no_english_text_anywhere_in_the_schema():
    """Field help texts, serializer components, security schemes: no docstring, no English default."""
    english = []

    def walk(node, where):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("summary", "description", "title") and isinstance(value, str) and english_sentences(value):
                    english.append(f"{where}/{key}: {value[:100]}")
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}/{index}")

    walk(openapi_schema(), "")
    assert english == []
