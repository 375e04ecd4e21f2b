import json
from pathlib import Path

import pytest

from tests.factories import UserFactory, user_with_role
from tpj.accounts.models import Role
from tpj.nomenclatures.loader import DATA_FILE
from tpj.nomenclatures.models import Category, Priority

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]


def _results(api_client, url):
    body = api_client.get(url).json()
    assert set(body) == {"count", "next", "previous", "results"}
    return body


@pytest.mark.parametrize(
    "url, count",
    [
        ("/api/v1/priorities/", 10),
        ("/api/v1/axes/", 6),
        ("/api/v1/eligibility-situations/", 4),
        ("/api/v1/training-themes/", 7),
        ("/api/v1/entry-kinds/", 2),
    ],
)
def test_api_serves_each_national_nomenclature_with_its_count(api_client, url, count):
    assert _results(api_client, url)["count"] == count


def test_priorities_come_with_number_full_and_short_label(api_client):
    results = _results(api_client, "/api/v1/priorities/")["results"]
    assert [p["number"] for p in results] == list(range(1, 11))
    assert [p["short_label"] for p in results] == [
        "Informer",
        "Accompagner & Soutenir",
        "Accompagnement adapté",
        "Partager et souffler",
        "Agir pour la santé et un environnement sain et sûr",
        "Éveiller",
        "Conciliation",
        "Accueillir",
        "Former",
        "Pères & seconds parents",
    ]
    assert results[5]["label"] == "Éveiller aux arts, à la nature et aux goûts"


def test_axes_and_eligibility_situations_have_their_official_labels(api_client):
    axes = _results(api_client, "/api/v1/axes/")["results"]
    assert axes[5]["label"] == "La place du père ou du second parent dans le parcours des 1000 premiers jours"
    situations = _results(api_client, "/api/v1/eligibility-situations/")["results"]
    assert situations[2]["label"].startswith("Être conventionné avec une caisse de Sécurité sociale")
    assert "assistant maternel" in situations[3]["examples"]


def test_categories_carry_their_suggested_priorities(api_client):
    categories = {c["slug"]: c for c in _results(api_client, "/api/v1/categories/?page_size=500")["results"]}
    assert categories["centre-pmi"]["suggested_priorities"] == [2]
    assert categories["maternite"]["suggested_priorities"] == [2]
    assert categories["creche"]["suggested_priorities"] == [8]
    assert len(categories) == Category.objects.filter(is_active=True).count() >= 20


def test_funding_sources_name_the_agency_envelopes(api_client):
    sources = _results(api_client, "/api/v1/funding-sources/")["results"]
    agencies = {s["agency"] for s in sources}
    assert {"ARS", "DREETS"} <= agencies
    assert any("FIR" in s["label"] for s in sources if s["agency"] == "ARS")
    assert any("304" in s["label"] for s in sources if s["agency"] == "DREETS")


def test_training_themes_are_the_seven_of_the_plan(api_client):
    labels = [t["label"].lower() for t in _results(api_client, "/api/v1/training-themes/")["results"]]
    assert any("langage" in label for label in labels)
    assert any("numérique" in label for label in labels)


def test_a_priority_is_found_by_its_number(api_client):
    assert api_client.get("/api/v1/priorities/9/").json()["short_label"] == "Former"
    response = api_client.get("/api/v1/priorities/11/")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_nomenclatures_are_read_only_through_the_api(api_client):
    admin = user_with_role(Role.ADMINISTRATOR)
    api_client.force_authenticate(admin)
    response = api_client.post("/api/v1/priorities/", {"number": 11, "label": "x", "short_label": "x"}, format="json")
    assert response.status_code == 405
    assert Priority.objects.count() == 10


def test_an_administrator_edits_a_priority_in_the_administration(client):
    admin = user_with_role(Role.ADMINISTRATOR)
    client.force_login(admin)
    priority = Priority.objects.get(number=6)
    url = f"/admin/nomenclatures/priority/{priority.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"number": 6, "label": priority.label, "short_label": "Éveiller aux arts", "description": ""})
    assert response.status_code == 302
    priority.refresh_from_db()
    assert priority.short_label == "Éveiller aux arts"


@pytest.mark.parametrize("role", [Role.NATIONAL_TEAM, Role.CALL_MANAGER, Role.MODERATOR])
def test_other_roles_cannot_edit_nomenclatures(client, role):
    user = user_with_role(role, is_staff=True)
    client.force_login(user)
    priority = Priority.objects.get(number=6)
    response = client.post(
        f"/admin/nomenclatures/priority/{priority.pk}/change/",
        {"number": 6, "label": priority.label, "short_label": "piraté", "description": ""},
    )
    assert response.status_code in (302, 403)
    assert Priority.objects.get(number=6).short_label == "Éveiller"


def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    response = client.get("/admin/nomenclatures/priority/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_plain_user_cannot_enter_the_administration(client):
    client.force_login(UserFactory())
    assert client.get("/admin/nomenclatures/priority/").status_code == 302


def _labels(values, min_length):
    return {v for v in values if isinstance(v, str) and len(v) >= min_length}


def test_nomenclature_values_are_never_repeated_in_the_code():
    """Labels live in data/nomenclatures.json and the database only."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    labels = set()
    for key in ("priorities", "axes", "eligibility_situations", "training_themes", "funding_sources"):
        for row in data[key]:
            labels |= _labels(row, 25)
    sources = [
        p for p in (REPO / "tpj").rglob("*") if p.suffix in {".py", ".html", ".js", ".txt"} and "migrations" not in p.parts
    ]
    offenders = [
        f"{path.relative_to(REPO)}: {label}" for path in sources for label in labels if label in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
