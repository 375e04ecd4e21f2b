"""Registration forms (French messages, one per field) feeding `services.entries.EntryData`."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from tpj.core.uploads import CSV, check_upload
from tpj.nomenclatures.models import Category, EligibilitySituation, EntryKind, Priority
from tpj.territories.models import Commune

from .identifiers import check_contact, check_reference
from .limits import MAX_CONTACTS, MAX_SITUATIONS
from .models import ContactChannel, Entry, ReferenceType, TrustingBodyKind
from .services.entries import EntryData
from .services.evidence import validate_evidence

# A network's export runs to tens of thousands of rows (a few hundred bytes each).
IMPORT_MAX_BYTES = 200 * 1024 * 1024
NOT_A_CSV = (
    "Le fichier « {name} » n'est pas un fichier CSV (texte séparé par des points-virgules ou des virgules) : "
    "son contenu a été vérifié, pas seulement son extension."
)


class EntryForm(forms.ModelForm):
    commune = forms.CharField(
        label="Commune",
        required=False,
        max_length=120,
        help_text="Tapez le nom ou le code postal puis choisissez dans la liste (code INSEE).",
    )
    # One per displayed form: the same registration sent twice creates one entry.
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Entry
        fields = ["kind", "category", "name", "address", "postal_code", "website"]
        labels = {"name": "Nom de la structure ou du professionnel"}
        help_texts = {"address": "Numéro et voie, lieu-dit.", "website": "Adresse complète, commençant par https://"}
        field_classes = {}

    website = forms.URLField(
        label="Site internet",
        required=False,
        max_length=300,
        assume_scheme="https",
        help_text="Adresse complète, commençant par https://",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = EntryKind.objects.all()
        self.fields["kind"].empty_label = "Choisissez"
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        self.fields["category"].empty_label = "Choisissez"
        self.fields["commune"].widget.attrs.update(
            {
                "list": "commune-options",
                "autocomplete": "off",
                "data-commune-autocomplete": reverse("territories:commune-autocomplete"),
            }
        )
        if self.instance.pk and self.instance.commune_id:
            self.initial["commune"] = self.instance.commune_id
        if not self.instance.pk and not self.is_bound:
            self.initial["client_token"] = uuid.uuid4()

    def clean_postal_code(self):
        value = (self.cleaned_data.get("postal_code") or "").strip().replace(" ", "")
        if value and (not value.isdigit() or len(value) != 5):
            raise ValidationError("Le code postal comporte 5 chiffres.")
        return value

    def clean(self):
        cleaned = super().clean()
        raw = (cleaned.get("commune") or "").strip()
        postal_code = cleaned.get("postal_code") or ""
        commune = None
        if raw:
            commune = Commune.objects.filter(insee_code=raw).first() if raw[:5].isalnum() and len(raw) == 5 else None
            if commune is None:
                matches = Commune.objects.search(raw.split("—")[0].strip())
                if postal_code:
                    matches = matches.filter(postal_codes__contains=postal_code)
                commune = matches.first()
            if commune is None:
                self.add_error("commune", f"Commune introuvable : « {raw[:60]} ». Choisissez-la dans la liste proposée.")
        if commune and postal_code and not commune.has_postal_code(postal_code):
            self.add_error(
                "postal_code",
                f"Le code postal {postal_code} ne correspond pas à la commune {commune.name} "
                f"(codes postaux : {', '.join(commune.postal_code_list)}).",
            )
        if commune and not postal_code and len(commune.postal_code_list) == 1:
            cleaned["postal_code"] = commune.postal_code_list[0]
        cleaned["commune_obj"] = commune
        return cleaned

    def entry_fields(self) -> dict:
        data = self.cleaned_data
        commune = data.get("commune_obj")
        return {
            "kind_id": data["kind"].pk,
            "category_id": data["category"].pk,
            "name": data["name"].strip(),
            "address": data.get("address", "").strip(),
            "postal_code": data.get("postal_code", ""),
            "commune_id": commune.pk if commune else None,
            "website": data.get("website", ""),
        }


class PrioritiesForm(forms.Form):
    """One checkbox per priority, each with its public description."""

    def __init__(self, *args, entry=None, suggested=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.priorities = list(Priority.objects.all())
        current = (
            {p.priority.number: p.description for p in entry.priorities.select_related("priority")} if entry and entry.pk else {}
        )
        for priority in self.priorities:
            checked = priority.number in current or (not current and priority.number in suggested)
            self.fields[f"p{priority.number}"] = forms.BooleanField(
                label=f"{priority.number}° {priority.label}", required=False, initial=checked
            )
            self.fields[f"p{priority.number}_description"] = forms.CharField(
                label=f"Ce que vous faites pour la priorité « {priority.short_label} »",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=current.get(priority.number, ""),
                help_text="Texte public, 2 000 caractères au plus.",
            )

    def rows(self):
        return [(p, self[f"p{p.number}"], self[f"p{p.number}_description"]) for p in self.priorities]

    def clean(self):
        cleaned = super().clean()
        for priority in self.priorities:
            description = (cleaned.get(f"p{priority.number}_description") or "").strip()
            if description and not cleaned.get(f"p{priority.number}"):
                self.add_error(f"p{priority.number}", "Cochez cette priorité ou effacez sa description.")
        return cleaned

    def selected(self) -> dict:
        return {
            p.number: (self.cleaned_data.get(f"p{p.number}_description") or "").strip()
            for p in self.priorities
            if self.cleaned_data.get(f"p{p.number}")
        }


class SituationForm(forms.Form):
    situation = forms.ModelChoiceField(
        label="Situation d'éligibilité", queryset=EligibilitySituation.objects.all(), empty_label="Choisissez"
    )
    trusting_body_name = forms.CharField(
        label="Organisme qui vous fait confiance",
        max_length=200,
        help_text="Ex. : CAF d'Ille-et-Vilaine, ARS Bretagne, commune de Brest.",
    )
    trusting_body_kind = forms.ChoiceField(label="Type d'organisme", choices=[("", "Choisissez"), *TrustingBodyKind.choices])
    reference_type = forms.ChoiceField(label="Type de référence", choices=[("", "Choisissez"), *ReferenceType.choices])
    reference_value = forms.CharField(label="Référence", max_length=100)
    evidence = forms.FileField(
        label="Justificatif (facultatif)",
        required=False,
        help_text="PDF, PNG ou JPEG, 10 Mo au plus. Visible des seuls modérateurs et membres de la fiche.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}),
    )
    existing_evidence = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if upload:
            validate_evidence(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reference_type") and cleaned.get("reference_value"):
            error = check_reference(cleaned["reference_type"], cleaned["reference_value"])
            if error:
                self.add_error("reference_value", error)
        return cleaned

    def as_item(self) -> dict:
        data = self.cleaned_data
        return {
            "situation": data["situation"],
            "trusting_body_name": data["trusting_body_name"],
            "trusting_body_kind": data["trusting_body_kind"],
            "reference_type": data["reference_type"],
            "reference_value": data["reference_value"],
            "evidence": data.get("evidence") or data.get("existing_evidence") or "",
        }


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label="Type de contact", choices=[("", "Choisissez"), *ContactChannel.Kind.choices])
    value = forms.CharField(label="Coordonnée", max_length=200)
    is_public = forms.BooleanField(
        label="J'accepte que cette coordonnée soit publiée sur la carte",
        required=False,
        help_text="Sans cette case, elle reste visible des seuls modérateurs.",
    )

    def clean(self):
        cleaned = super().clean()
        error = check_contact(cleaned.get("kind"), cleaned.get("value"))
        if error:
            self.add_error("value", error)
        return cleaned


SituationFormSet = forms.formset_factory(
    SituationForm, extra=1, can_delete=True, max_num=MAX_SITUATIONS, validate_max=True, absolute_max=MAX_SITUATIONS
)
ContactFormSet = forms.formset_factory(
    ContactForm, extra=1, can_delete=True, max_num=MAX_CONTACTS, validate_max=True, absolute_max=MAX_CONTACTS
)


class EntryFormBundle:
    """The four parts of the registration page, validated together."""

    def __init__(self, data=None, files=None, entry=None, suggested=()):
        self.entry = entry
        instance = entry or Entry()
        self.main = EntryForm(data, instance=instance, prefix="fiche")
        self.priorities = PrioritiesForm(data, entry=entry, suggested=suggested, prefix="priorites")
        situations = (
            [
                {
                    "situation": s.situation_id,
                    "trusting_body_name": s.trusting_body_name,
                    "trusting_body_kind": s.trusting_body_kind,
                    "reference_type": s.reference_type,
                    "reference_value": s.reference_value,
                    "existing_evidence": s.evidence.name,
                }
                for s in entry.situations.all()
            ]
            if entry
            else []
        )
        contacts = [{"kind": c.kind, "value": c.value, "is_public": c.is_public} for c in entry.contacts.all()] if entry else []
        self.situations = SituationFormSet(data, files, prefix="situations", initial=situations)
        self.contacts = ContactFormSet(data, prefix="contacts", initial=contacts)
        self.existing_evidence = {s.evidence.name: s.evidence_name for s in entry.situations.all() if s.evidence} if entry else {}

    def is_valid(self) -> bool:
        results = [self.main.is_valid(), self.priorities.is_valid(), self.situations.is_valid(), self.contacts.is_valid()]
        return all(results)

    @staticmethod
    def _kept(formset):
        initial = formset.initial_form_count()
        return [
            f
            for i, f in enumerate(formset.forms)
            if (i < initial or f.has_changed()) and f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]

    def data(self) -> EntryData:
        situations = []
        for form in self._kept(self.situations):
            item = form.as_item()
            if isinstance(item["evidence"], str) and item["evidence"] not in self.existing_evidence:
                item["evidence"] = ""  # only files already attached to this entry may be kept
            situations.append(item)
        contacts = [f.cleaned_data for f in self._kept(self.contacts)]
        return EntryData(
            fields=self.main.entry_fields(), priorities=self.priorities.selected(), situations=situations, contacts=contacts
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Motif",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire pour refuser, demander des modifications ou suspendre : il sera communiqué au déclarant.",
    )


class MemberForm(forms.Form):
    email = forms.EmailField(label="Adresse e-mail de la personne à ajouter")


class ImportForm(forms.Form):
    source = forms.CharField(
        label="Réseau ou source",
        max_length=100,
        help_text="Ex. : CAF du Rhône — RPE. Sert à reconnaître les lignes déjà importées.",
    )
    file = forms.FileField(
        label="Fichier CSV",
        help_text="Séparateur point-virgule ou virgule, UTF-8 ou Latin-1, 200 Mo au plus.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload(upload, accepted={CSV}, max_bytes=IMPORT_MAX_BYTES, bad_type=NOT_A_CSV)
        return upload
