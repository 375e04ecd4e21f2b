from django import forms

from tpj.accounts.models import User


class DeleteAccountForm(forms.Form):
    confirmation = forms.CharField(label="Pour confirmer, tapez SUPPRIMER", max_length=20)
    password = forms.CharField(
        label="Votre mot de passe", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    transfer_to = forms.EmailField(
        label="Confier mes fiches de l'annuaire à (facultatif)",
        required=False,
        help_text="Adresse e-mail d'un autre membre inscrit sur la plateforme.",
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_confirmation(self):
        if self.cleaned_data["confirmation"].strip().upper() != "SUPPRIMER":
            raise forms.ValidationError("Tapez SUPPRIMER en majuscules pour confirmer la suppression.")
        return "SUPPRIMER"

    def clean_password(self):
        if self.user.has_usable_password() and not self.user.check_password(self.cleaned_data["password"]):
            raise forms.ValidationError("Mot de passe incorrect.")
        return ""

    def clean_transfer_to(self):
        email = (self.cleaned_data.get("transfer_to") or "").strip().lower()
        if not email:
            return None
        member = User.objects.filter(email=email, is_active=True).exclude(pk=self.user.pk).first()
        if member is None:
            raise forms.ValidationError("Aucun autre compte actif n'utilise cette adresse.")
        return member
