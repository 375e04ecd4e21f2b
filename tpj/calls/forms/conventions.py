"""Forms of a laureate's convention: its schedule, the signed copy, a payment against the schedule."""

from django import forms
from django.utils import timezone

from tpj.core.validators import plausible_date

from .common import DateInput


class ScheduleForm(forms.Form):
    signature_deadline = forms.DateField(
        label="À retourner signée au plus tard le",
        widget=DateInput(),
        validators=[plausible_date],
        help_text="Passé cette date, une convention non signée permet de retirer le projet de la liste des lauréats.",
    )


class InstalmentForm(forms.Form):
    label = forms.CharField(label="Échéance", max_length=200, help_text="Par exemple : « À la signature de la convention ».")
    percent = forms.IntegerField(label="Part de la subvention (%)", min_value=1, max_value=100)
    due_on = forms.DateField(
        label="Versement prévu le (facultatif)", required=False, widget=DateInput(), validators=[plausible_date]
    )


InstalmentFormSet = forms.formset_factory(InstalmentForm, extra=1, max_num=12, validate_max=True)


def instalment_formset(data=None, initial=None):
    """The schedule's rows and one blank row more: a step is added without JavaScript, and a
    row left (or made) blank is no step."""
    return InstalmentFormSet(data, initial=initial, prefix="echeances", form_kwargs={"empty_permitted": True})


class SignatureForm(forms.Form):
    file = forms.FileField(
        label="Convention signée (PDF)",
        help_text="PDF, 10 Mo au plus.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )
    signed_on = forms.DateField(label="Signée le", widget=DateInput(), initial=timezone.localdate, validators=[plausible_date])


class InstalmentPaymentForm(forms.Form):
    instalment = forms.ModelChoiceField(label="Échéance", queryset=None, empty_label=None)
    request = forms.ModelChoiceField(label="Enveloppe", queryset=None, empty_label=None)
    amount = forms.DecimalField(label="Montant versé (€)", max_digits=12, decimal_places=2, min_value=0)
    paid_on = forms.DateField(label="Versé le", widget=DateInput(), initial=timezone.localdate, validators=[plausible_date])
    label = forms.CharField(label="Libellé (facultatif)", required=False, max_length=255)

    def __init__(self, *args, convention, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instalment"].queryset = convention.instalments.all()
        self.fields["instalment"].label_from_instance = lambda i: f"{i.label} ({i.percent} %)"
        self.fields["request"].queryset = convention.application.requests.filter(amount_allocated__gt=0).select_related(
            "envelope__funding_source"
        )
        self.fields["request"].label_from_instance = lambda r: r.envelope.funding_source.label
