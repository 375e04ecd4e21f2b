"""What users get from django-dsfr's components: form errors, paging, messages, breadcrumbs."""

from html.parser import HTMLParser

import pytest
from django import forms
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.template import Context, Template
from django.urls import reverse

from tests.calls.factories import make_call
from tests.registry.factories import verified_entry
from tpj.nomenclatures.models import Category

pytestmark = pytest.mark.django_db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Elements(HTMLParser):
    """Every element of a page, with its attributes and its text (the text of its children included)."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[dict] = []
        self._open: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": ""}
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth]["tag"] == tag:
                del self._open[depth:]
                break

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data

    def find(self, **attrs) -> list[dict]:
        return [e for e in self.elements if all(e["attrs"].get(name) == value for name, value in attrs.items())]

    def with_class(self, css_class: str) -> list[dict]:
        return [e for e in self.elements if css_class in (e["attrs"].get("class") or "").split()]

    def by_id(self, element_id: str) -> dict:
        (element,) = self.find(id=element_id)
        return element


def _text(element) -> str:
    return " ".join(element["text"].split())


def _assert_aria_references_resolve(page: _Elements):
    """Every id named by aria-describedby / aria-labelledby is on the page: nothing is read from nowhere."""
    ids = {e["attrs"]["id"] for e in page.elements if e["attrs"].get("id")}
    for element in page.elements:
        for name in ("aria-describedby", "aria-labelledby"):
            for reference in (element["attrs"].get(name) or "").split():
                assert reference in ids, f"{element['tag']} {name}={reference}"


def test_a_form_error_is_in_french_and_read_with_its_field(client):
    response = client.post(reverse("accounts:signup"), {"email": "pas-une-adresse", "first_name": "Jeanne"})
    page = _Elements(response.content.decode())

    (email,) = page.find(name="email")
    assert email["attrs"]["aria-invalid"] == "true"
    assert _text(page.by_id(email["attrs"]["aria-describedby"])) == "Saisissez une adresse e-mail valide."
    (last_name,) = page.find(name="last_name")
    assert _text(page.by_id(last_name["attrs"]["aria-describedby"])) == "Ce champ est obligatoire."
    (first_name,) = page.find(name="first_name")
    assert "aria-invalid" not in first_name["attrs"]
    # Required fields carry the attribute screen readers announce, and the form opens on a summary.
    assert "required" in last_name["attrs"]
    (summary,) = page.find(role="alert")
    assert "Le formulaire n'a pas été enregistré" in _text(summary)
    _assert_aria_references_resolve(page)


def test_an_error_on_a_group_of_checkboxes_is_read_with_the_group():
    class KindsForm(forms.Form):
        kinds = forms.MultipleChoiceField(
            label="Publics", choices=[("a", "Parents"), ("b", "Enfants")], widget=forms.CheckboxSelectMultiple
        )

    page = _Elements(str(KindsForm(data={})))

    (group,) = [e for e in page.elements if e["tag"] == "fieldset"]
    legend_id, error_id = group["attrs"]["aria-labelledby"].split()
    assert _text(page.by_id(legend_id)) == "Publics * (obligatoire)"
    assert _text(page.by_id(error_id)) == "Ce champ est obligatoire."
    _assert_aria_references_resolve(page)


def test_paging_keeps_the_active_filters(client):
    creche = Category.objects.get(slug="creche")
    for number in range(23):
        verified_entry(name=f"Crèche {number:02d}", category=creche)
    verified_entry(name="Médiathèque", category=Category.objects.get(slug="culture"))
    directory = reverse("registry:directory")

    first = _Elements(client.get(directory, {"categorie": "creche"}).content.decode())
    (next_link,) = first.with_class("fr-pagination__link--next")
    assert next_link["attrs"]["href"] == "?categorie=creche&page=2"
    (current,) = first.find(**{"aria-current": "page", "class": "fr-pagination__link"})
    assert _text(current) == "1 / 2"

    second = client.get(directory + next_link["attrs"]["href"])
    names = [entry.name for entry in second.context["entries"]]
    assert names and all(name.startswith("Crèche") for name in names)
    (previous,) = _Elements(second.content.decode()).with_class("fr-pagination__link--prev")
    assert previous["attrs"]["href"] == "?categorie=creche&page=1"


def test_one_page_of_results_has_no_pagination(client):
    verified_entry(name="Crèche seule")
    page = client.get(reverse("registry:directory")).content.decode()
    assert "Crèche seule" in page and "fr-pagination" not in page


def test_a_message_after_an_action_is_a_dsfr_alert(client):
    response = client.post(reverse("accounts:resend-confirmation"), {"email": "personne@example.fr"}, follow=True)
    page = _Elements(response.content.decode())

    (alert,) = page.with_class("fr-alert")
    assert "fr-alert--info" in alert["attrs"]["class"] and alert["attrs"]["role"] == "alert"
    assert _text(alert) == "Si un compte non confirmé existe pour cette adresse, un nouveau lien vient d'être envoyé."


def test_a_message_quoting_user_input_is_shown_as_text():
    messages = [Message(constants.ERROR, "Filtres invalides : <script>alert(1)</script>")]
    html = Template("{% load dsfr_tags %}{% dsfr_django_messages %}").render(Context({"messages": messages}))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "fr-alert--error" in html


def _breadcrumb(html: str) -> list[tuple[str, str | None, str | None]]:
    """The breadcrumb's items: text, link and aria-current."""
    page = _Elements(html)
    (nav,) = page.with_class("fr-breadcrumb")
    assert nav["attrs"]["aria-label"] == "vous êtes ici\xa0:"
    assert _text(page.with_class("fr-breadcrumb__button")[0]) == "Voir le fil d’Ariane"
    return [(_text(a), a["attrs"].get("href"), a["attrs"].get("aria-current")) for a in page.with_class("fr-breadcrumb__link")]


def test_the_breadcrumb_lists_the_parent_pages_and_marks_the_current_one(client):
    slug = "staffs-medico-psycho-sociaux"
    response = client.get(reverse("valorisation:measure", args=[slug]))
    items = _breadcrumb(response.content.decode())

    assert items[:-1] == [
        ("Accueil", "/", None),
        ("Valorisation & pilotage", reverse("valorisation:index"), None),
        ("Mesures nationales", reverse("valorisation:measures"), None),
    ]
    current_title, current_link, current = items[-1]
    assert current_title == response.context["measure"].title and current_link is None and current == "page"


def test_the_breadcrumb_of_a_call_page_names_the_call(client):
    call = make_call("ars", region="53")
    client.force_login(call.manager)

    detail = _breadcrumb(client.get(reverse("calls:call-detail", args=[call.pk])).content.decode())
    assert detail == [
        ("Accueil", "/", None),
        ("Appels à projets", reverse("calls:index"), None),
        (f"Bretagne — {call.campaign.year}", None, "page"),
    ]
    jury = _breadcrumb(client.get(reverse("calls:jury", args=[call.pk])).content.decode())
    assert jury[-2:] == [
        (f"Bretagne — {call.campaign.year}", reverse("calls:call-detail", args=[call.pk]), None),
        ("Jury", None, "page"),
    ]
