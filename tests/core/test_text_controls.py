"""The control-character rule (tpj.core.text) where it is applied once for every form, query
string and API body: the forms' bound field, the middleware, the API parsers."""

import io

import pytest
from django import forms
from django.http import QueryDict
from rest_framework.exceptions import ValidationError

from tpj.core.middleware import clean_query_dict
from tpj.core.parsers import FormParser, JSONParser, check_controls


class NoteForm(forms.Form):
    title = forms.CharField()
    body = forms.CharField(widget=forms.Textarea)
    tags = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")])


def test_every_form_field_loses_its_control_characters_single_line_fields_their_line_breaks():
    form = NoteForm(
        {"title": "Crèche\x00 des\x1b Lutins\r\n\tde Rennes", "body": "Ligne 1\x7f\r\n\tLigne 2\x9b", "tags": ["a\x00"]}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"title": "Crèche des Lutins de Rennes", "body": "Ligne 1\r\n\tLigne 2", "tags": ["a"]}


def test_a_form_re_displays_the_cleaned_value():
    form = NoteForm({"title": "a\x1bb", "body": "", "tags": []})
    assert not form.is_valid()
    assert 'value="ab"' in str(form["title"])


def test_a_query_dict_is_cleaned_only_when_needed():
    plain = QueryDict("q=Cr%C3%A8che&page=2")
    assert clean_query_dict(plain) is plain
    cleaned = clean_query_dict(QueryDict("q=Cr%C3%A8che%00%1b&q=b%C2%9B&k%7Fey=x"))
    assert cleaned.getlist("q") == ["Crèche", "b"] and cleaned["key"] == "x"
    assert not cleaned._mutable


def test_api_bodies_name_each_poisoned_field():
    with pytest.raises(ValidationError) as refused:
        check_controls({"name": "a\x1b", "situations": [{"reference_value": "ok"}, {"reference_value": "\x00"}]})
    assert refused.value.detail == {
        "name": ["Le champ « name » contient un caractère de contrôle invisible (U+001B) : retirez-le."],
        "situations.1.reference_value": [
            "Le champ « situations.1.reference_value » contient un caractère de contrôle invisible (U+0000) : retirez-le."
        ],
    }
    check_controls({"description": "Ligne 1\r\n\tLigne 2 — « ok »", "n": 1, "x": None})


def test_the_json_and_form_parsers_refuse_control_characters():
    with pytest.raises(ValidationError):
        JSONParser().parse(io.BytesIO(b'{"name": "a\\u001bb"}'), parser_context={})
    with pytest.raises(ValidationError):
        FormParser().parse(io.BytesIO(b"name=a%1Bb"), parser_context={"encoding": "utf-8"})
    assert JSONParser().parse(io.BytesIO(b'{"name": "a\\tb\\n"}'), parser_context={}) == {"name": "a\tb\n"}
