"""Forms of an application: the carrier's file (content, partners, budget, indicators) and its attachments."""

import re
import uuid

from django import forms
from django.core.exceptions import ValidationError

from tpj.core.form_fields import ModelMultipleChoiceField
from tpj.core.text import french_plural
from tpj.core.validators import plausible_date, validate_siret
from tpj.nomenclatures.models import FundingSource
from tpj.territories.models import Commune

from ..limits import (
    APPLICATION_TARGETING_CHOICES,
    MAX_BUDGET_LINES,
    MAX_COFINANCINGS,
    MAX_INDICATORS,
    MAX_PARTNERS,
    MAX_PLACES,
)
from ..models import CallAxis
from ..services.content import ApplicationContent
from ..services.files import validate_attachment
from .common import DateInput


class PartnerForm(forms.Form):
    name = forms.CharField(label="Partenaire", max_length=255, required=False)
    siret = forms.CharField(label="SIRET (facultatif)", max_length=20, required=False, validators=[validate_siret])
    role = forms.CharField(label="Rôle dans le projet", max_length=255, required=False)


class BudgetLineForm(forms.Form):
    label = forms.CharField(label="Poste de dépense", max_length=255, required=False)
    amount = forms.DecimalField(label="Montant (€)", max_digits=12, decimal_places=2, min_value=0, required=False)

    def clean(self):
        data = super().clean()
        if data.get("label") and data.get("amount") is None:
            self.add_error("amount", "Indiquez le montant de ce poste.")
        return data


class CoFinancingForm(forms.Form):
    source = forms.ModelChoiceField(
        label="Co-financeur", queryset=FundingSource.objects.filter(agency=""), required=False, empty_label="—"
    )
    amount = forms.DecimalField(label="Montant (€)", max_digits=12, decimal_places=2, min_value=0, required=False)
    secured = forms.BooleanField(label="Acquis", required=False)


class IndicatorForm(forms.Form):
    name = forms.CharField(label="Indicateur d'impact", max_length=255, required=False)
    baseline = forms.CharField(label="Valeur de départ", max_length=100, required=False)
    target = forms.CharField(label="Valeur cible", max_length=100, required=False)
    method = forms.CharField(label="Méthode de mesure", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("name"):
            for f in ("baseline", "target", "method"):
                if not data.get(f):
                    self.add_error(f, "Champ obligatoire pour chaque indicateur.")
        return data


def _formset(form, extra, bound):
    return forms.formset_factory(form, extra=extra, max_num=bound, validate_max=True, absolute_max=bound)


PartnerFormSet = _formset(PartnerForm, 2, MAX_PARTNERS)
BudgetFormSet = _formset(BudgetLineForm, 2, MAX_BUDGET_LINES)
CoFinancingFormSet = _formset(CoFinancingForm, 2, MAX_COFINANCINGS)
IndicatorFormSet = _formset(IndicatorForm, 1, MAX_INDICATORS)


class ApplicationForm(forms.Form):
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label="Intitulé du projet", max_length=255)
    carrier_siret = forms.CharField(
        label="SIRET de la structure porteuse",
        max_length=20,
        required=False,
        help_text="14 chiffres ; la structure doit pouvoir signer une convention de subvention.",
        validators=[validate_siret],
    )
    description = forms.CharField(label="Description du projet", required=False, widget=forms.Textarea(attrs={"rows": 5}))
    target_public = forms.CharField(label="Public visé", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    call_axes = ModelMultipleChoiceField(
        label="Axes du projet", queryset=CallAxis.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    places = forms.CharField(
        label="Lieux d'action (communes)",
        required=False,
        help_text=(
            "Noms, codes postaux ou codes INSEE des communes, séparés par des virgules (ex. « Rennes, 29019 »). "
            "Toutes doivent être dans la région de l'appel."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-places-field": ""}),
    )
    targeting_kinds = forms.MultipleChoiceField(
        label="Territoires prioritaires concernés",
        choices=APPLICATION_TARGETING_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    start_date = forms.DateField(label="Début du projet", required=False, widget=DateInput(), validators=[plausible_date])
    end_date = forms.DateField(label="Fin du projet", required=False, widget=DateInput(), validators=[plausible_date])

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        self.fields["call_axes"].queryset = call.axes.all()
        for envelope in call.envelopes.select_related("funding_source"):
            self.fields[f"request_{envelope.agency}"] = forms.DecimalField(
                label=f"Montant demandé — enveloppe {envelope.agency} ({envelope.funding_source.label})",
                max_digits=12,
                decimal_places=2,
                min_value=0,
                required=False,
            )
        if not self.initial.get("client_token"):
            self.initial["client_token"] = uuid.uuid4()

    def request_fields(self):
        return [self[name] for name in self.fields if name.startswith("request_")]

    def clean_places(self):
        return parse_places(self.cleaned_data["places"], bound=MAX_PLACES)


PLACE_SEPARATORS = re.compile(r"[,;\n]+")
LABELLED_CODE = re.compile(r"\((\d[0-9AB]\d{3})\)$")


def place_label(commune: Commune) -> str:
    """How the form shows a place of action (and reads it back): « Rennes (35238) »."""
    return f"{commune.name} ({commune.insee_code})"


def parse_places(value: str, bound: int) -> list[Commune]:
    """The communes of a comma-separated list, each named by its INSEE code, its postal code, its
    name or its label « Name (code) »; every item naming no commune, or several, is said in French."""
    items = list(dict.fromkeys(i.strip() for i in PLACE_SEPARATORS.split(value or "") if i.strip()))
    if len(items) > bound:
        n = len(items)
        raise ValidationError(f"{n} {french_plural(n, 'lieu indiqué', 'lieux indiqués')} : {bound} au plus.")
    communes, problems = {}, []
    for item in items:
        labelled = LABELLED_CODE.search(item)
        commune, problem = Commune.objects.resolve(labelled.group(1) if labelled else item)
        if commune:
            communes.setdefault(commune.insee_code, commune)
        else:
            problems.append(problem)
    if problems:
        raise ValidationError(problems)
    return list(communes.values())


def _rows(formset, keys):
    rows = []
    for form in formset:
        data = getattr(form, "cleaned_data", None) or {}
        if data.get(keys[0]) not in (None, ""):
            rows.append({k: data.get(k) for k in keys})
    return rows


def build_content(form: ApplicationForm, partners, budget, cofinancing, indicators) -> ApplicationContent:
    data = form.cleaned_data
    return ApplicationContent.from_cleaned_data(
        data,
        call_axes=list(data["call_axes"]),
        places=data["places"],
        targeting_kinds=data["targeting_kinds"],
        partners=_rows(partners, ["name", "siret", "role"]),
        budget_lines=_rows(budget, ["label", "amount"]),
        cofinancings=[r for r in _rows(cofinancing, ["source", "amount", "secured"]) if r["amount"] is not None],
        requests={name.removeprefix("request_"): value for name, value in data.items() if name.startswith("request_") and value},
        indicators=_rows(indicators, ["name", "baseline", "target", "method"]),
    )


def initial_from(content: ApplicationContent) -> dict:
    initial = {
        "title": content.title,
        "description": content.description,
        "target_public": content.target_public,
        "carrier_siret": content.carrier_siret,
        "start_date": content.start_date,
        "end_date": content.end_date,
        "call_axes": content.call_axes,
        "places": ", ".join(place_label(c) for c in content.places),
        "targeting_kinds": content.targeting_kinds,
    }
    initial.update({f"request_{a}": v for a, v in content.requests.items()})
    return initial


class AttachmentForm(forms.Form):
    label = forms.CharField(
        label="Intitulé de la pièce", max_length=255, error_messages={"required": "Indiquez l'intitulé de la pièce jointe."}
    )
    file = forms.FileField(
        label="Fichier",
        help_text="PDF, PNG ou JPEG, 10 Mo au plus.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}),
        error_messages={"required": "Choisissez le fichier à joindre.", "empty": "Le fichier envoyé est vide."},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_attachment(upload)
        return upload
