"""Forms of a call: creation, definition (axes, criteria, envelopes)."""

from django import forms
from django.core.exceptions import ValidationError

from tpj.core.form_fields import ModelMultipleChoiceField
from tpj.nomenclatures.models import Axis
from tpj.territories.models import Departement

from ..limits import MAX_CALL_AXES, MAX_CRITERIA, MAX_PLACES
from ..models import Call, CallAxis, Campaign, Criterion, Envelope, Targeting
from ..services.files import validate_pdf
from .common import DateInput, DateTimeInput, parse_communes


class CallCreateForm(forms.Form):
    strand = forms.ChoiceField(label="Volet", choices=Call.Strand.choices, widget=forms.RadioSelect)
    # only an open campaign takes a new call (the service says so too, under a lock of the campaign)
    campaign = forms.ModelChoiceField(
        label="Campagne",
        queryset=Campaign.objects.filter(state=Campaign.State.OPEN),
        empty_label=None,
        error_messages={"invalid_choice": "Cette campagne n'est pas ouverte : elle ne reçoit plus de nouvel appel à projets."},
    )


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
        communes = parse_communes(self.cleaned_data["target_communes_codes"], bound=MAX_PLACES)
        outside = [c for c in communes if c.region_id != self.instance.region_id]
        if outside:
            raise ValidationError(f"Communes hors de la région : {', '.join(c.name for c in outside)}.")
        return communes

    def save(self, commit=True):
        call = super().save(commit)
        call.target_communes.set(self.cleaned_data["target_communes_codes"])
        return call


class CallAxisForm(forms.ModelForm):
    national_axes = ModelMultipleChoiceField(
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


AxisFormSet = forms.inlineformset_factory(
    Call, CallAxis, form=CallAxisForm, extra=1, can_delete=True, max_num=MAX_CALL_AXES, validate_max=True
)
CriterionFormSet = forms.inlineformset_factory(
    Call,
    Criterion,
    fields=["label", "weight", "max_score"],
    extra=1,
    can_delete=True,
    widgets={"label": forms.TextInput()},
    max_num=MAX_CRITERIA,
    validate_max=True,
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
