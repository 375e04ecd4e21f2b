"""Forms of a call: creation, definition (axes, criteria, envelopes)."""

from django import forms
from django.core.exceptions import ValidationError

from tpj.core.form_fields import ModelMultipleChoiceField
from tpj.nomenclatures.models import Axis, TrainingTheme
from tpj.territories.models import Departement, Region

from ..limits import MAX_CALL_AXES, MAX_CRITERIA, MAX_PLACES
from ..models import Call, CallAxis, CallKind, Campaign, Criterion, Envelope, Targeting
from ..models.kinds import KINDS, NATIONAL_AXES, TRAINING_THEMES
from ..services.campaigns import nearest_open_campaign
from ..services.files import validate_pdf
from .common import DateInput, DateTimeInput, parse_communes


class CallCreateForm(forms.Form):
    """The kinds offered are those the user may create (`permissions.creatable_kinds`): an ARS or
    DREETS call manager chooses the strand of a 1000-jours call; a commissaire creates the
    territorial training call of its région (its strand is the kind's only one); the national
    team, which may create a territorial call, chooses its région."""

    kind = forms.ChoiceField(label="Type d'appel", choices=CallKind.choices, widget=forms.RadioSelect, required=False)
    strand = forms.ChoiceField(label="Volet", choices=Call.Strand.choices, widget=forms.RadioSelect, required=False)
    region = forms.ModelChoiceField(
        label="Région de l'appel",
        queryset=Region.objects.order_by("name"),
        required=False,
        help_text="Pour un appel territorial de formation créé par l'équipe nationale.",
    )
    # only an open campaign takes a new call (the service says so too, under a lock of the campaign)
    campaign = forms.ModelChoiceField(
        label="Campagne",
        queryset=Campaign.objects.filter(state=Campaign.State.OPEN),
        empty_label=None,
        error_messages={"invalid_choice": "Cette campagne n'est pas ouverte : elle ne reçoit plus de nouvel appel à projets."},
        help_text="Votre agence doit avoir déclaré son intention pour cette campagne.",
    )

    def __init__(self, *args, kinds=(CallKind.MILLE_JOURS,), strands=None, choose_region=False, **kwargs):
        super().__init__(*args, **kwargs)
        # the campaign most likely meant: the nearest open one (not the calendar year's)
        self.initial["campaign"] = nearest_open_campaign()
        self.kinds = list(kinds)
        self.fields["kind"].choices = [(k, label) for k, label in CallKind.choices if k in self.kinds]
        self.initial.setdefault("kind", self.kinds[0] if self.kinds else "")
        if CallKind.MILLE_JOURS in self.kinds:
            offered = strands if strands is not None else KINDS[CallKind.MILLE_JOURS].strands
            self.fields["strand"].choices = [(v, label) for v, label in Call.Strand.choices if v in offered]
            self.fields["strand"].help_text = "Pour un appel régional 1000 premiers jours."
        else:
            del self.fields["strand"]
            self.fields["campaign"].help_text = ""
        if not choose_region:
            del self.fields["region"]

    def clean(self):
        data = super().clean()
        kind = data.get("kind") or (self.kinds[0] if len(self.kinds) == 1 else "")
        if kind not in self.kinds:
            self.add_error("kind", "Choisissez le type d'appel.")
            return data
        definition = KINDS[kind]
        if len(definition.strands) == 1:
            data["strand"] = definition.strands[0]
        elif data.get("strand") not in definition.strands and "strand" not in self.errors:
            self.add_error("strand", "Choisissez le volet de l'appel.")
        data["kind"] = kind
        return data


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
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
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
        if self.instance.definition.reference is NATIONAL_AXES:
            self.fields["required_axis"].queryset = Axis.objects.order_by("number")
            self.fields["required_axis"].label_from_instance = lambda a: f"Axe {a.number} — {a.label}"
            self.fields["required_axis"].empty_label = "Aucun axe exigé"
        else:  # a prerequisite axis is one of the 6 national axes: not for a call on other themes
            del self.fields["required_axis"]
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
    reference = NATIONAL_AXES  # what the axis attaches to (models/kinds.py)
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
        self.fields[self.reference.field].label_from_instance = self.item_label

    @staticmethod
    def item_label(axis) -> str:
        return f"Axe {axis.number}"

    def clean(self):
        data = super().clean()
        field = self.reference.field
        if data.get("label") and not data.get(field) and not data.get("DELETE"):
            self.add_error(field, f"Rattachez cet axe à au moins un {self.reference.name}.")
        return data


class ThemeAxisForm(CallAxisForm):
    """An axis of a territorial training call: attached to the training themes."""

    reference = TRAINING_THEMES
    national_axes = None
    training_themes = ModelMultipleChoiceField(
        label="Thèmes de formation de rattachement",
        queryset=TrainingTheme.objects.order_by("number"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = CallAxis
        fields = ["label", "training_themes"]
        widgets = {"label": forms.Textarea(attrs={"rows": 2})}

    @staticmethod
    def item_label(theme) -> str:
        return theme.label


def _axis_formset(form):
    return forms.inlineformset_factory(
        Call, CallAxis, form=form, extra=1, can_delete=True, max_num=MAX_CALL_AXES, validate_max=True
    )


AxisFormSet = _axis_formset(CallAxisForm)
ThemeAxisFormSet = _axis_formset(ThemeAxisForm)
AXIS_FORMSETS = {NATIONAL_AXES.field: AxisFormSet, TRAINING_THEMES.field: ThemeAxisFormSet}


def axis_formset(call):
    """The formset of the call's axes, attached to its kind's national list."""
    return AXIS_FORMSETS[call.definition.reference.field]


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A kind without a national dotation (the territorial training call): the whole envelope is local.
        self.own_envelope = self.instance.pk and not self.instance.call.definition.national_dotation
        if self.own_envelope:
            self.fields["local_top_up"].label = f"Montant de l'enveloppe — {self.instance.funding_source.label} (€)"

    def clean_local_top_up(self):
        top_up = self.cleaned_data["local_top_up"]
        if top_up is not None and top_up < 0:
            what = "Le montant de l'enveloppe" if self.own_envelope else "L'abondement local"
            raise ValidationError(f"{what} ne peut pas être négatif.")
        if top_up is not None and self.instance.national_dotation + top_up < self.instance.allocated:
            raise ValidationError(
                f"L'enveloppe {self.instance.agency} a déjà {self.instance.allocated} € attribués : "
                "son montant ne peut pas descendre en dessous."
            )
        return top_up


EnvelopeFormSet = forms.inlineformset_factory(Call, Envelope, form=EnvelopeForm, extra=0, can_delete=False)
