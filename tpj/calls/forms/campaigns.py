"""Forms of the national campaign and of the agencies' declarations of intent."""

from django import forms

from ..models import Campaign
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
    joint = forms.BooleanField(label="Appel commun avec l'autre agence de la région (fortement recommandé)", required=False)
    referent_name = forms.CharField(label="Référent qui pilotera l'appel à projets", max_length=200)
    referent_email = forms.EmailField(label="Courriel du référent")
