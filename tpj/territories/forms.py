from django import forms

from .models import Commune


class CommuneField(forms.CharField):
    """An INSEE code typed or picked from the commune autocomplete; cleans to a Commune."""

    default_error_messages = {"unknown": "Commune inconnue : choisissez-la dans la liste proposée (code INSEE)."}

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        try:
            return Commune.objects.select_related("departement").get(insee_code=code.strip())
        except Commune.DoesNotExist:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown") from None


def validate_postal_code(commune: Commune, postal_code: str):
    """Raise a French error when `postal_code` is not one of `commune`'s."""
    if postal_code and not commune.has_postal_code(postal_code):
        raise forms.ValidationError(
            f"Le code postal {postal_code} ne correspond pas à {commune.name} "
            f"(codes possibles : {', '.join(commune.postal_code_list)})."
        )
