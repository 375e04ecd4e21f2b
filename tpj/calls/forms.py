"""Forms of the calls module (French labels and messages; rules stay in the services)."""

import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from tpj.nomenclatures.models import Axis, FundingSource
from tpj.territories.models import Commune, Departement

from .models import Call, CallAxis, Campaign, Criterion, Envelope, JuryMember, Targeting
from .services.content import ApplicationContent
from .services.files import validate_pdf
from .workflows import OUTCOME_CHOICES

INSEE_CODE = re.compile(r"\b(\d[0-9AB]\d{3})\b")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def parse_communes(value: str, field_label="commune") -> list[Commune]:
    codes = INSEE_CODE.findall(value or "")
    if (value or "").strip() and not codes:
        raise ValidationError(f"Indiquez les {field_label}s par leur code INSEE à 5 caractères (ex. 35238 pour Rennes).")
    communes = {c.insee_code: c for c in Commune.objects.filter(insee_code__in=codes).select_related("departement")}
    unknown = [c for c in codes if c not in communes]
    if unknown:
        raise ValidationError(f"Code(s) INSEE inconnu(s) : {', '.join(unknown)}.")
    return [communes[c] for c in dict.fromkeys(codes)]


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "year",
            "intent_deadline",
            "laureates_deadline",
            "transmission_deadline",
            "projects_start_deadline",
            "national_dotation",
            "minimum_single",
            "minimum_joint",
        ]
        widgets = {
            f: DateInput() for f in ["intent_deadline", "laureates_deadline", "transmission_deadline", "projects_start_deadline"]
        }


class DeclarationForm(forms.Form):
    joint = forms.BooleanField(label="Appel commun avec l'autre agence de la région (fortement recommandé)", required=False)
    referent_name = forms.CharField(label="Référent qui pilotera l'appel à projets", max_length=200)
    referent_email = forms.EmailField(label="Courriel du référent")


class CallCreateForm(forms.Form):
    strand = forms.ChoiceField(label="Volet", choices=Call.Strand.choices, widget=forms.RadioSelect)
    campaign = forms.ModelChoiceField(label="Campagne", queryset=Campaign.objects.all(), empty_label=None)


class CallForm(forms.ModelForm):
    targeting_kinds = forms.MultipleChoiceField(
        label="Territoires ciblés", choices=Targeting.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    target_communes_codes = forms.CharField(
        label="Communes ciblées (codes INSEE)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Si vous ciblez des communes choisies : codes INSEE séparés par des virgules.",
    )

    class Meta:
        model = Call
        fields = [
            "summary",
            "required_axis",
            "targeting_mode",
            "targeting_kinds",
            "target_departements",
            "publication_date",
            "applications_deadline",
            "jury_date",
            "laureates_date",
            "projects_start_date",
            "cahier_des_charges",
            "checklist",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "checklist": forms.Textarea(attrs={"rows": 4}),
            "targeting_mode": forms.RadioSelect,
            "target_departements": forms.CheckboxSelectMultiple,
            "publication_date": DateInput(),
            "jury_date": DateInput(),
            "laureates_date": DateInput(),
            "projects_start_date": DateInput(),
            "applications_deadline": DateTimeInput(),
        }
        help_texts = {"applications_deadline": "Heure de Paris. Au-delà, le dépôt est refusé à la seconde près."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_departements"].queryset = Departement.objects.filter(region_id=self.instance.region_id)
        self.fields["target_departements"].required = False
        self.fields["required_axis"].queryset = Axis.objects.order_by("number")
        self.fields["required_axis"].label_from_instance = lambda a: f"Axe {a.number} — {a.label}"
        self.fields["required_axis"].empty_label = "Aucun axe exigé"
        self.fields["cahier_des_charges"].widget = forms.FileInput(attrs={"accept": "application/pdf"})
        if self.instance.pk:
            self.initial["target_communes_codes"] = ", ".join(self.instance.target_communes.values_list("insee_code", flat=True))

    def clean_cahier_des_charges(self):
        upload = self.cleaned_data.get("cahier_des_charges")
        if upload and hasattr(upload, "content_type"):
            validate_pdf(upload)
        return upload

    def clean_target_communes_codes(self):
        communes = parse_communes(self.cleaned_data["target_communes_codes"])
        outside = [c for c in communes if c.region_id != self.instance.region_id]
        if outside:
            raise ValidationError(f"Communes hors de la région : {', '.join(c.name for c in outside)}.")
        return communes

    def save(self, commit=True):
        call = super().save(commit)
        call.target_communes.set(self.cleaned_data["target_communes_codes"])
        return call


class CallAxisForm(forms.ModelForm):
    national_axes = forms.ModelMultipleChoiceField(
        label="Axes nationaux de rattachement",
        queryset=Axis.objects.order_by("number"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = CallAxis
        fields = ["label", "national_axes"]
        widgets = {"label": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["national_axes"].label_from_instance = lambda a: f"Axe {a.number}"

    def clean(self):
        data = super().clean()
        if data.get("label") and not data.get("national_axes") and not data.get("DELETE"):
            self.add_error("national_axes", "Rattachez cet axe à au moins un des 6 axes nationaux.")
        return data


AxisFormSet = forms.inlineformset_factory(Call, CallAxis, form=CallAxisForm, extra=1, can_delete=True)
CriterionFormSet = forms.inlineformset_factory(
    Call, Criterion, fields=["label", "weight", "max_score"], extra=1, can_delete=True, widgets={"label": forms.TextInput()}
)


class EnvelopeForm(forms.ModelForm):
    class Meta:
        model = Envelope
        fields = ["local_top_up"]

    def clean_local_top_up(self):
        top_up = self.cleaned_data["local_top_up"]
        if top_up is not None and top_up < 0:
            raise ValidationError("L'abondement local ne peut pas être négatif.")
        if top_up is not None and self.instance.national_dotation + top_up < self.instance.allocated:
            raise ValidationError(
                f"L'enveloppe {self.instance.agency} a déjà {self.instance.allocated} € attribués : "
                "son montant ne peut pas descendre en dessous."
            )
        return top_up


EnvelopeFormSet = forms.inlineformset_factory(Call, Envelope, form=EnvelopeForm, extra=0, can_delete=False)


class PartnerForm(forms.Form):
    name = forms.CharField(label="Partenaire", max_length=255, required=False)
    siret = forms.CharField(label="SIRET (facultatif)", max_length=20, required=False)
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


PartnerFormSet = forms.formset_factory(PartnerForm, extra=2)
BudgetFormSet = forms.formset_factory(BudgetLineForm, extra=2)
CoFinancingFormSet = forms.formset_factory(CoFinancingForm, extra=2)
IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=1)


class ApplicationForm(forms.Form):
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label="Intitulé du projet", max_length=255)
    carrier_siret = forms.CharField(
        label="SIRET de la structure porteuse",
        max_length=20,
        required=False,
        help_text="14 chiffres ; la structure doit pouvoir signer une convention de subvention.",
    )
    description = forms.CharField(label="Description du projet", required=False, widget=forms.Textarea(attrs={"rows": 5}))
    target_public = forms.CharField(label="Public visé", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    call_axes = forms.ModelMultipleChoiceField(
        label="Axes du projet", queryset=CallAxis.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    places = forms.CharField(
        label="Lieux d'action (codes INSEE des communes)",
        required=False,
        help_text="Séparés par des virgules, ex. 35238, 29019. Tous doivent être dans la région de l'appel.",
        widget=forms.TextInput(attrs={"list": "communes-suggestions", "autocomplete": "off"}),
    )
    targeting_kinds = forms.MultipleChoiceField(
        label="Territoires prioritaires concernés",
        choices=Targeting.choices[:-1],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    start_date = forms.DateField(label="Début du projet", required=False, widget=DateInput())
    end_date = forms.DateField(label="Fin du projet", required=False, widget=DateInput())

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
        return parse_communes(self.cleaned_data["places"])


def _rows(formset, keys):
    rows = []
    for form in formset:
        data = getattr(form, "cleaned_data", None) or {}
        if data.get(keys[0]) not in (None, ""):
            rows.append({k: data.get(k) for k in keys})
    return rows


def build_content(form: ApplicationForm, partners, budget, cofinancing, indicators) -> ApplicationContent:
    data = form.cleaned_data
    return ApplicationContent(
        title=data["title"],
        description=data["description"],
        target_public=data["target_public"],
        carrier_siret=data["carrier_siret"],
        start_date=data["start_date"],
        end_date=data["end_date"],
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
        "places": ", ".join(c.insee_code for c in content.places),
        "targeting_kinds": content.targeting_kinds,
    }
    initial.update({f"request_{a}": v for a, v in content.requests.items()})
    return initial


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Motif", widget=forms.Textarea(attrs={"rows": 3}))


class AttachmentForm(forms.Form):
    label = forms.CharField(label="Intitulé de la pièce", max_length=255)
    file = forms.FileField(label="Fichier")


class JuryMemberForm(forms.Form):
    email = forms.EmailField(label="Courriel du membre (compte existant avec le rôle « membre de jury »)")
    kind = forms.ChoiceField(label="Qualité", choices=JuryMember.Kind.choices, widget=forms.RadioSelect)


class ConflictForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label="Avez-vous un conflit d'intérêts avec ce projet ou son porteur ?",
        choices=[
            ("0", "Non, je n'ai aucun lien d'intérêt avec ce projet"),
            ("1", "Oui, j'ai un conflit d'intérêts : je me déporte"),
        ],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="Précision (obligatoire en cas de conflit)", required=False, max_length=500)


class ScoreForm(forms.Form):
    comment = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, criteria, initial_scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        initial_scores = initial_scores or {}
        for c in criteria:
            value, na = initial_scores.get(c.pk, (None, False))
            self.fields[f"score_{c.pk}"] = forms.IntegerField(
                label=f"{c.label} (coefficient {c.weight}, note de 0 à {c.max_score})",
                required=False,
                initial=value,
                widget=forms.NumberInput(attrs={"min": 0, "max": c.max_score}),
            )
            self.fields[f"na_{c.pk}"] = forms.BooleanField(label="Sans objet", required=False, initial=na)

    def rows(self):
        return [(c, self[f"score_{c.pk}"], self[f"na_{c.pk}"]) for c in self.criteria]

    def values(self) -> dict:
        return {c.pk: (self.cleaned_data.get(f"score_{c.pk}"), bool(self.cleaned_data.get(f"na_{c.pk}"))) for c in self.criteria}


class DecisionForm(forms.Form):
    OUTCOMES = OUTCOME_CHOICES
    outcome = forms.ChoiceField(label="Décision", choices=OUTCOMES)
    reason = forms.CharField(label="Motif", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        for agency in ("ARS", "DREETS"):
            # Both fields exist so that a line on an envelope the call does not have is refused with a clear message.
            self.fields[f"amount_{agency}"] = forms.DecimalField(
                label=f"Montant attribué — enveloppe {agency} (€)", max_digits=12, decimal_places=2, min_value=0, required=False
            )
            if agency not in call.agencies:
                self.fields[f"amount_{agency}"].widget = forms.HiddenInput()

    def allocations(self) -> dict:
        return {
            a: self.cleaned_data.get(f"amount_{a}") for a in ("ARS", "DREETS") if self.cleaned_data.get(f"amount_{a}") is not None
        }


class DateForm(forms.Form):
    date = forms.DateField(label="Date", widget=DateInput(), initial=timezone.localdate)


class PaymentForm(forms.Form):
    request = forms.ModelChoiceField(label="Enveloppe", queryset=None, empty_label=None)
    amount = forms.DecimalField(label="Montant versé (€)", max_digits=12, decimal_places=2, min_value=0)
    paid_on = forms.DateField(label="Versé le", widget=DateInput(), initial=timezone.localdate)
    label = forms.CharField(label="Libellé", required=False, max_length=255)

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["request"].queryset = application.requests.filter(amount_allocated__gt=0).select_related("envelope")
        self.fields["request"].label_from_instance = lambda r: f"Enveloppe {r.envelope.agency}"


class IndicatorValueForm(forms.Form):
    indicator = forms.ModelChoiceField(label="Indicateur", queryset=None, empty_label=None)
    measured_on = forms.DateField(label="Mesuré le", widget=DateInput(), initial=timezone.localdate)
    value = forms.CharField(label="Valeur", max_length=100)
    comment = forms.CharField(label="Commentaire", required=False, max_length=500)

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = application.indicators.all()


class EvaluationForm(forms.Form):
    final_evaluation = forms.CharField(
        label="Évaluation finale : le projet répond-il aux enjeux des 1000 premiers jours ?",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    could_become_permanent = forms.BooleanField(label="Le dispositif pourrait être pérennisé", required=False)
