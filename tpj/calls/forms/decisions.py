"""Form of the decision on an application: outcome, reason and amounts per envelope."""

from django import forms

from ..models import Agency
from ..workflows import OUTCOME_CHOICES


class DecisionForm(forms.Form):
    OUTCOMES = OUTCOME_CHOICES
    outcome = forms.ChoiceField(label="Décision", choices=OUTCOMES)
    reason = forms.CharField(label="Motif", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        for agency in Agency.values:
            # Both fields exist so that a line on an envelope the call does not have is refused with a clear message.
            self.fields[f"amount_{agency}"] = forms.DecimalField(
                label=f"Montant attribué — enveloppe {agency} (€)", max_digits=12, decimal_places=2, min_value=0, required=False
            )
            if agency not in call.agencies:
                self.fields[f"amount_{agency}"].widget = forms.HiddenInput()

    def allocations(self) -> dict:
        return {
            a: self.cleaned_data.get(f"amount_{a}") for a in Agency.values if self.cleaned_data.get(f"amount_{a}") is not None
        }
