"""Forms of the jury: members, conflict-of-interest declarations, scores."""

from django import forms

from ..models import JuryMember


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


class LateConflictForm(forms.Form):
    """A conflict of interest discovered after declaring none (before the scores are validated)."""

    note = forms.CharField(label="Nature du conflit d'intérêts découvert", max_length=500)


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
