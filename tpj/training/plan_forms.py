"""The forms of a team's training plan (journey 4), with French labels and messages."""

from django import forms

from .models import PlanItem, Session
from .services.plans import NAME_MAX, TEXT_MAX, session_dates

NEW_PLAN = "nouveau"


def session_label(session: Session) -> str:
    return f"{session_dates(session).capitalize()} — {session.place_label}"


def session_choices(sessions, blank: str) -> list[tuple[str, str]]:
    return [("", blank), *((str(s.pk), session_label(s)) for s in sessions)]


class PlanNameForm(forms.Form):
    name = forms.CharField(
        label="Nom du plan",
        max_length=NAME_MAX,
        help_text="Par exemple « Équipe de la crèche des Lutins — 2027 ».",
        error_messages={
            "required": "Donnez un nom au plan.",
            "max_length": f"Le nom du plan ne peut pas dépasser {NAME_MAX} caractères.",
        },
    )


class _SessionChoiceMixin:
    def _session(self, sessions):
        value = self.cleaned_data.get("session")
        if not value:
            return None
        return next((s for s in sessions if str(s.pk) == value), None)


class AddToPlanForm(_SessionChoiceMixin, forms.Form):
    """Choose one of one's plans or name a new one; optionally, one of the offer's coming sessions."""

    plan = forms.ChoiceField(label="Plan de formation", widget=forms.RadioSelect, required=False)
    new_name = forms.CharField(
        label="Nom du nouveau plan",
        max_length=NAME_MAX,
        required=False,
        help_text="Si vous créez un plan : par exemple « Équipe du relais — 2027 ».",
        error_messages={"max_length": f"Le nom du plan ne peut pas dépasser {NAME_MAX} caractères."},
    )
    session = forms.ChoiceField(label="Session visée", required=False)

    def __init__(self, *args, plans, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.plans, self.sessions = list(plans), list(sessions)
        self.fields["plan"].choices = [*((str(p.pk), p.name) for p in self.plans), (NEW_PLAN, "Créer un nouveau plan")]
        self.fields["plan"].error_messages["invalid_choice"] = "Choisissez l'un de vos plans, ou créez-en un."
        self.fields["session"].choices = session_choices(self.sessions, "Pas encore choisie (la prochaine session)")
        self.fields["session"].error_messages["invalid_choice"] = "Choisissez l'une des sessions à venir de cette offre."
        if not self.plans:
            self.fields["plan"].widget = forms.HiddenInput()
            self.initial.setdefault("plan", NEW_PLAN)
        else:
            self.initial.setdefault("plan", str(self.plans[0].pk))

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("plan") or (NEW_PLAN if not self.plans else "")
        if not choice:
            self.add_error("plan", "Choisissez l'un de vos plans, ou créez-en un.")
        elif choice == NEW_PLAN:
            if not (cleaned.get("new_name") or "").strip():
                self.add_error("new_name", "Donnez un nom au nouveau plan.")
            cleaned["plan_obj"] = None
        else:
            cleaned["plan_obj"] = next(p for p in self.plans if str(p.pk) == choice)
        cleaned["session_obj"] = self._session(self.sessions)
        return cleaned


class PlanItemForm(_SessionChoiceMixin, forms.ModelForm):
    session = forms.ChoiceField(label="Session visée", required=False)

    class Meta:
        model = PlanItem
        fields = ["attendees", "note"]
        widgets = {"attendees": forms.Textarea(attrs={"rows": 2}), "note": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"attendees": "Les prénoms ou les postes des professionnel·les concerné·es."}
        error_messages = {
            "attendees": {"max_length": f"« Qui doit y aller » ne peut pas dépasser {TEXT_MAX} caractères."},
            "note": {"max_length": f"La note ne peut pas dépasser {TEXT_MAX} caractères."},
        }

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        # The coming sessions, and the chosen one even once it has passed.
        self.sessions = list(sessions)
        chosen = self.instance.session
        if chosen is not None and chosen not in self.sessions:
            self.sessions.insert(0, chosen)
        self.fields["session"].choices = session_choices(self.sessions, "Pas encore choisie (la prochaine session)")
        self.fields["session"].error_messages["invalid_choice"] = "Choisissez l'une des sessions de cette offre."
        self.fields["session"].initial = str(chosen.pk) if chosen else ""

    def clean(self):
        cleaned = super().clean()
        cleaned["session_obj"] = self._session(self.sessions)
        return cleaned
