from django import forms
from dsfr.widgets import InlineRadioSelect

from . import kinds
from .kinds import Delivery

IGNORED_KEYS = {"csrfmiddlewaretoken"}


class PreferencesForm(forms.Form):
    """One choice of delivery per declared kind of notification, its field named by the kind's key."""

    def __init__(self, *args, initial_deliveries=None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_deliveries = initial_deliveries or {}
        for kind in kinds.all_kinds():
            self.fields[kind.key] = forms.ChoiceField(
                label=kind.label,
                choices=Delivery.choices,
                initial=initial_deliveries.get(kind.key, kind.default),
                widget=InlineRadioSelect,
                help_text=f"Par défaut : {Delivery(kind.default).label.lower()}.",
                error_messages={"required": "Choisissez comment être prévenu.", "invalid_choice": "Ce choix n'existe pas."},
            )

    def groups(self) -> list[tuple[str, list]]:
        """[(group, [bound fields])] in the order of `kinds.all_kinds()` (by group, then label)."""
        grouped: dict[str, list] = {}
        for kind in kinds.all_kinds():
            grouped.setdefault(kind.group, []).append(self[kind.key])
        return list(grouped.items())

    def clean(self):
        unknown = sorted(key for key in self.data if key not in self.fields and key not in IGNORED_KEYS)
        if unknown:
            names = ", ".join(f"« {key[:80]} »" for key in unknown[:5])
            raise forms.ValidationError(
                "Type de notification inconnu : %(names)s. Rechargez la page, puis enregistrez à nouveau vos préférences.",
                params={"names": names},
            )
        return super().clean()
