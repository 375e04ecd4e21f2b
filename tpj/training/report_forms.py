"""The form of a session's bilan (journey 5): the hours delivered, then lines of participants
by audience and département. Blank lines are ignored; « Ajouter une ligne » adds one without
JavaScript (the form is posted back with one more line, nothing saved)."""

from decimal import Decimal

from django import forms

from .models import Audience
from .services.reports import MAX_LINES, Line

BLANK_LINES = 3
LINES_PREFIX = "lignes"


class ReportForm(forms.Form):
    hours_delivered = forms.DecimalField(
        label="Heures dispensées",
        min_value=Decimal("0"),
        max_digits=6,
        decimal_places=1,
        localize=True,
        error_messages={
            "required": "Indiquez les heures dispensées.",
            "invalid": "Indiquez les heures dispensées en nombre, par exemple 14 ou 10,5.",
            "min_value": "Les heures dispensées ne peuvent pas être négatives.",
            "max_decimal_places": "Indiquez les heures dispensées avec au plus une décimale, par exemple 10,5.",
            "max_digits": "Ce nombre d'heures est trop élevé.",
            "max_whole_digits": "Ce nombre d'heures est trop élevé.",
        },
    )

    def __init__(self, *args, cap_help: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hours_delivered"].help_text = cap_help


class LineForm(forms.Form):
    audience = forms.ChoiceField(label="Public", required=False)
    departement = forms.ChoiceField(label="Département", required=False)
    participants = forms.IntegerField(
        label="Participants",
        required=False,
        min_value=1,
        max_value=100000,
        error_messages={
            "invalid": "Indiquez un nombre entier de participants.",
            "min_value": "Au moins 1 participant (laissez la ligne vide pour l'ignorer).",
            "max_value": "Ce nombre de participants est trop élevé.",
        },
    )

    def __init__(self, *args, departements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].choices = [("", "Choisir un public"), *Audience.choices]
        self.fields["audience"].error_messages["invalid_choice"] = "Public inconnu : choisissez-en un dans la liste."
        self.fields["departement"].choices = [("", "Choisir un département"), *departements]
        self.fields["departement"].error_messages["invalid_choice"] = "Département inconnu : choisissez-en un dans la liste."

    def clean(self):
        cleaned = super().clean()
        filled = [cleaned.get(name) not in (None, "") for name in ("audience", "departement", "participants")]
        if any(filled) and not all(filled) and not self.errors:
            raise forms.ValidationError("Complétez la ligne : le public, le département et le nombre de participants.")
        return cleaned

    @property
    def line(self) -> Line | None:
        data = self.cleaned_data
        if not data.get("audience"):
            return None
        return Line(data["audience"], data["departement"], data["participants"])


LineFormSet = forms.formset_factory(LineForm, extra=0, max_num=MAX_LINES, validate_max=True, absolute_max=MAX_LINES + 10)


def line_formset(data=None, *, departements, initial=(), add_line=False):
    """The lines' formset: the bilan's lines and BLANK_LINES blank ones; posted with
    « Ajouter une ligne », the same lines and one more."""
    if data is not None and add_line:
        data = data.copy()
        key = f"{LINES_PREFIX}-TOTAL_FORMS"
        try:
            data[key] = str(min(int(data.get(key, 0)) + 1, MAX_LINES))
        except ValueError:
            data[key] = str(BLANK_LINES)
    formset_class = LineFormSet
    if data is None:
        formset_class = forms.formset_factory(LineForm, extra=BLANK_LINES, max_num=MAX_LINES, absolute_max=MAX_LINES + 10)
    return formset_class(
        data,
        initial=list(initial) or None,
        prefix=LINES_PREFIX,
        form_kwargs={"departements": departements},
        error_messages={
            "too_many_forms": f"Un bilan compte au plus {MAX_LINES} lignes : regroupez les participants.",
            "missing_management_form": "Le formulaire est incomplet : rechargez la page.",
        },
    )


def lines_of(formset) -> list[Line]:
    return [form.line for form in formset.forms if form.line is not None]
