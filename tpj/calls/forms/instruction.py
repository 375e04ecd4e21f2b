"""Forms of the instruction of an application by the call's managers."""

from django import forms


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Motif", widget=forms.Textarea(attrs={"rows": 3}))
