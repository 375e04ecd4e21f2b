"""Forms of the follow-up of a laureate project: dates, indicator values, final evaluation (payments: forms/conventions.py)."""

from django import forms
from django.utils import timezone

from tpj.core.validators import plausible_date

from .common import DateInput


class DateForm(forms.Form):
    date = forms.DateField(label="Date", widget=DateInput(), initial=timezone.localdate, validators=[plausible_date])


class IndicatorValueForm(forms.Form):
    indicator = forms.ModelChoiceField(label="Indicateur", queryset=None, empty_label=None)
    measured_on = forms.DateField(label="Mesuré le", widget=DateInput(), initial=timezone.localdate, validators=[plausible_date])
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
