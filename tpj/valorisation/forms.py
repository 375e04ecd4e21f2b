from django import forms
from django.utils import timezone

from tpj.core.uploads import CSV, check_upload
from tpj.territories.forms import CommuneField
from tpj.territories.models import Departement, Region

from .apportionment import MAX_TOTAL, BirthsTableError
from .models import Deployment
from .services import MAX_UPLOAD_BYTES, read_births_upload


def total_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label="Postes à répartir",
        min_value=1,
        max_value=MAX_TOTAL,
        error_messages={
            "min_value": "Le nombre de postes doit être au moins 1 (un total de 0 ne peut pas être réparti).",
            "max_value": f"Le nombre de postes ne peut dépasser {MAX_TOTAL} : vérifiez la saisie.",
            "invalid": "Saisissez un nombre entier de postes.",
            "required": "Indiquez le nombre de postes à répartir.",
        },
        **kwargs,
    )


class DeploymentForm(forms.ModelForm):
    commune = CommuneField(label="Commune (code INSEE)", required=False, help_text="Facultatif ; par exemple 35238 pour Rennes")

    class Meta:
        model = Deployment
        fields = ["region", "departement", "commune", "title", "carrier", "date", "quantity", "amount", "notes"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.filter(code__in=regions) if regions is not None else Region.objects.all()
        self.fields["departement"].queryset = Departement.objects.select_related("region")
        self.fields["amount"].help_text = "En euros, centimes autorisés (par exemple 45000 ou 45000,50)"
        self.fields["amount"].localize = True


class BirthsImportForm(forms.Form):
    year = forms.IntegerField(label="Année des naissances", min_value=2000, max_value=2100)
    source = forms.CharField(label="Source", max_length=255, help_text="Par exemple : INSEE, état civil")
    file = forms.FileField(
        label="Fichier CSV",
        help_text="Une ligne par région : colonnes « region » (code INSEE ou nom) et « naissances » ; "
        "séparateur ; ou , ; encodage UTF-8 ou Latin-1.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    total = total_field(
        required=False, initial=100, help_text="Facultatif : calcule aussitôt la répartition (100 postes en 2021)."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.now().year - 1
        self.births = None

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        check_upload(
            uploaded,
            accepted={CSV},
            max_bytes=MAX_UPLOAD_BYTES,
            too_large="Le fichier « {name} » est trop volumineux : un tableau de 18 régions pèse quelques centaines d'octets.",
            bad_type="Le fichier « {name} » n'est pas un fichier CSV (son contenu a été vérifié, pas seulement son extension).",
        )
        try:
            self.births = read_births_upload(uploaded)
        except BirthsTableError as error:
            raise forms.ValidationError(error.errors) from None
        return uploaded


class ApportionForm(forms.Form):
    total = total_field(required=True)
