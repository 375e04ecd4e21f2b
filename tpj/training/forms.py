"""The organisation's, the offer's and the moderators' forms, with French messages."""

from decimal import Decimal

from django import forms

from tpj.core.form_fields import ModelMultipleChoiceField
from tpj.nomenclatures.models import TrainingTheme
from tpj.territories.models import Commune

from .models import Audience, Format, FundingRoute, Offer, Session, TrainingOrganisation
from .services.organisations import registered_with_siret, siret_taken_message

MAX_SESSIONS = 50


class CommuneNameField(forms.CharField):
    """A commune typed as a name, a postal code or an INSEE code; cleans to a Commune (or None)."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        commune, message = Commune.objects.resolve(value)
        if commune is None:
            raise forms.ValidationError(message, code="commune")
        return commune

    def prepare_value(self, value):
        if isinstance(value, Commune):
            return value.insee_code
        return value


class OrganisationForm(forms.ModelForm):
    # Spaces as people copy a SIRET: the model compacts it, then checks its 14 digits and key.
    siret = forms.CharField(label="SIRET", max_length=20, help_text="14 chiffres ; les espaces sont acceptés.")
    # Longer than 11 on input, so that a wrong length gets the model's one message.
    activity_number = forms.CharField(
        label="Numéro de déclaration d'activité", max_length=20, help_text="11 chiffres, attribués par la DREETS."
    )
    commune = CommuneNameField(label="Commune du siège", help_text="Nom, code postal ou code INSEE.", max_length=100)

    class Meta:
        model = TrainingOrganisation
        fields = ["name", "siret", "activity_number", "qualiopi", "qualiopi_date", "commune"]
        widgets = {"qualiopi_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean_siret(self):
        """A SIRET already registered: refused with how to join its organisation (the model's
        uniqueness check then stays silent, the field having its error)."""
        siret = self.cleaned_data["siret"]
        existing = registered_with_siret(siret, exclude_pk=self.instance.pk)
        if existing is not None:
            raise forms.ValidationError(siret_taken_message(existing), code="siret_taken")
        return siret


class OfferForm(forms.ModelForm):
    themes = ModelMultipleChoiceField(
        label="Thèmes du plan de formation",
        queryset=TrainingTheme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Thème inconnu : « %(value)s » (les 7 thèmes du plan de formation).",
            "invalid_pk_value": "Thème inconnu : « %(pk)s ».",
        },
    )
    audiences = forms.MultipleChoiceField(
        label="Publics", choices=Audience.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    price = forms.DecimalField(
        label="Prix par participant (euros)",
        required=False,
        min_value=Decimal("0"),
        max_digits=9,
        decimal_places=2,
        localize=True,
        help_text="0 si la formation est gratuite pour le participant ; au plus 2 décimales (ex. 349,90).",
        error_messages={
            "min_value": "Le prix ne peut pas être négatif.",
            "max_decimal_places": "Indiquez le prix avec au plus 2 décimales (des centimes).",
            "max_digits": "Ce prix est trop élevé.",
            "max_whole_digits": "Ce prix est trop élevé.",
            "invalid": "Indiquez un prix en euros, par exemple 350 ou 349,90.",
        },
    )
    funding_routes = forms.MultipleChoiceField(
        label="Voies de financement", choices=FundingRoute.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Offer
        fields = [
            "title",
            "themes",
            "audiences",
            "objectives",
            "programme",
            "duration_hours",
            "format",
            "price",
            "funding_routes",
            "funding_details",
            "prerequisites",
            "accessibility",
            "registration_url",
            "contact_email",
        ]
        widgets = {
            "format": forms.RadioSelect,
            "objectives": forms.Textarea(attrs={"rows": 4}),
            "programme": forms.Textarea(attrs={"rows": 8}),
            "prerequisites": forms.Textarea(attrs={"rows": 2}),
            "accessibility": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "programme": "Texte brut : les balises HTML sont affichées telles quelles.",
            "registration_url": "Adresse commençant par https:// (ou http://).",
            "funding_details": "En quelques mots : prise en charge, reste à charge…",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = [("", "Non précisée"), *Format.choices]
        self.fields["duration_hours"].localize = True
        self.fields["duration_hours"].widget.is_localized = True
        if self.instance.pk:
            self.initial.setdefault("audiences", self.instance.audience_values)
            self.initial.setdefault("funding_routes", self.instance.funding_values)
            if self.instance.price_cents is not None:
                self.initial.setdefault("price", Decimal(self.instance.price_cents) / 100)

    def clean_price(self):
        price = self.cleaned_data.get("price")
        return None if price is None else int(price * 100)

    def _post_clean(self):
        self.instance.price_cents = self.cleaned_data.get("price")
        super()._post_clean()


class SessionForm(forms.ModelForm):
    commune = CommuneNameField(
        label="Commune",
        required=False,
        max_length=100,
        help_text="Nom, code postal ou code INSEE ; vide pour une session à distance.",
    )
    seats_left = forms.IntegerField(
        label="Places restantes",
        required=False,
        min_value=0,
        help_text="Vide : toutes les places sont libres.",
        error_messages={"min_value": "Les places restantes ne peuvent pas être négatives."},
    )

    class Meta:
        model = Session
        fields = ["start_date", "end_date", "commune", "is_remote", "capacity", "seats_left"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        error_messages = {
            "capacity": {"min_value": "Une session compte au moins une place."},
        }

    def clean_capacity(self):
        capacity = self.cleaned_data.get("capacity")
        if capacity is not None and capacity < 1:
            raise forms.ValidationError("Une session compte au moins une place.")
        return capacity

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("seats_left") is None and cleaned.get("capacity"):
            cleaned["seats_left"] = cleaned["capacity"]
        return cleaned


SessionFormSet = forms.inlineformset_factory(
    Offer,
    Session,
    form=SessionForm,
    extra=1,
    can_delete=True,
    can_delete_extra=False,  # the blank session of a new offer is simply left empty
    max_num=MAX_SESSIONS,
    validate_max=True,
)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Motif",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire pour demander des modifications ou refuser : il sera communiqué à l'organisme de formation.",
    )
