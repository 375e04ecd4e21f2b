"""Forms of the national campaign and of the agencies' declarations of intent."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from ..models import Campaign
from ..services.campaigns import nearest_open_campaign
from .common import DateInput


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = Campaign.SETTINGS_FIELDS
        widgets = {
            f: DateInput() for f in ["intent_deadline", "laureates_deadline", "transmission_deadline", "projects_start_deadline"]
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["state"]  # a new campaign is open; it is closed later, by editing it


class DeclarationForm(forms.Form):
    # any open campaign not declared yet (the next one is often opened before the current one's
    # lists are sent); the nearest when none is chosen
    campaign = forms.ModelChoiceField(
        label="Campagne",
        queryset=Campaign.objects.none(),
        empty_label=None,
        required=False,
        error_messages={"invalid_choice": "Cette campagne n'est pas ouverte : elle ne reçoit plus de déclaration d'intention."},
    )
    joint = forms.BooleanField(label="Appel commun avec l'autre agence de la région (fortement recommandé)", required=False)
    referent_name = forms.CharField(label="Référent qui pilotera l'appel à projets", max_length=200)
    referent_email = forms.EmailField(label="Courriel du référent")

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        self.fields["campaign"].label_from_instance = self.campaign_label
        self.initial.setdefault("campaign", self.default_campaign())

    def default_campaign(self):
        """The nearest open campaign if it is among the choices, else the oldest choice."""
        choices = self.fields["campaign"].queryset
        nearest = nearest_open_campaign()
        return nearest if nearest and choices.filter(pk=nearest.pk).exists() else choices.first()

    def clean_campaign(self):
        campaign = self.cleaned_data["campaign"] or self.default_campaign()
        if campaign is None:
            raise ValidationError("Aucune campagne nationale ouverte n'attend de déclaration de votre agence.")
        return campaign

    @staticmethod
    def campaign_label(campaign) -> str:
        deadline = f"{campaign.intent_deadline:%d/%m/%Y}"
        if timezone.localdate() > campaign.intent_deadline:
            return f"Campagne {campaign.year} — échéance passée le {deadline} : déclaration enregistrée en retard"
        return f"Campagne {campaign.year} — à déclarer au plus tard le {deadline}"
