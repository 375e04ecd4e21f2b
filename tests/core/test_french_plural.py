"""French plurals: 0 and 1 take the singular (« 0 fiche créée »), unlike Django's pluralize."""

import pytest
from django.template import Context, Template

from tpj.core.text import french_plural
from tpj.registry.models import ImportJob


@pytest.mark.parametrize(("count", "expected"), [(0, "0 fiche créée"), (1, "1 fiche créée"), (2, "2 fiches créées")])
def test_the_filter_follows_the_french_rule(count, expected):
    template = Template("{% load french %}{{ n }} fiche{{ n|pluriel }} créée{{ n|pluriel }}")
    assert template.render(Context({"n": count})) == expected


def test_the_filter_takes_both_forms():
    template = Template('{% load french %}{{ n|pluriel:"n\'est,ne sont" }}')
    assert template.render(Context({"n": 0})) == "n&#x27;est"
    assert template.render(Context({"n": 3})) == "ne sont"


def test_the_function_counts_negative_and_missing_numbers_as_french_does():
    assert french_plural(-3, "", "s") == "s"
    assert french_plural(None, "a", "b") == "a"


@pytest.mark.django_db
def test_an_import_with_nothing_created_says_so_in_the_singular():
    job = ImportJob(created_count=0, updated_count=1, error_count=2, total_rows=3, next_row=3, status="done")
    html = Template('{% include "registry/_import_progress.html" %}').render(Context({"job": job}))
    assert "0 fiche créée, 1 déjà présente, 2 lignes en erreur" in html
