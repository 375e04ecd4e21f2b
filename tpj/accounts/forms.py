from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.template.loader import render_to_string

from tpj.core.urls_absolute import site_protocol_and_domain

from . import services, throttle
from .authentication import DEMO_REFUSED, DISABLED
from .models import User


class SignupForm(forms.Form):
    email = forms.EmailField(label="Adresse e-mail", max_length=254)
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="12 caractères au moins, ni trop courant ni uniquement des chiffres.",
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_email(self):
        # Never "this address has an account": sign-up answers the same for every address.
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        elif password1:
            candidate = User(
                email=cleaned.get("email", ""), first_name=cleaned.get("first_name", ""), last_name=cleaned.get("last_name", "")
            )
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class LoginForm(forms.Form):
    email = forms.EmailField(label="Adresse e-mail")
    password = forms.CharField(
        label="Mot de passe", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        email, password = cleaned.get("email"), cleaned.get("password")
        if not email or not password:
            return cleaned
        if throttle.is_locked(email, self.request):
            raise forms.ValidationError(throttle.lockout_message(), code="locked")
        self.user = authenticate(self.request, email=email, password=password)
        if self.user is not None:
            throttle.clear(email)
        else:
            existing = User.objects.filter(email=email.strip().lower()).first()
            if not (existing and existing.check_password(password)):
                throttle.record_failure(email, self.request)
                raise forms.ValidationError("Adresse e-mail ou mot de passe incorrect.")
            # Right password, but the account may not log in: say why.
            if existing.is_demo and not settings.DEMO_MODE:
                raise forms.ValidationError(DEMO_REFUSED)
            if existing.email_confirmed_at is None:
                raise forms.ValidationError("Confirmez d'abord votre adresse e-mail : cliquez sur le lien reçu par e-mail.")
            raise forms.ValidationError(DISABLED)
        return cleaned

    def get_user(self):
        return self.user


class ResendConfirmationForm(forms.Form):
    email = forms.EmailField(label="Adresse e-mail")


class FrenchPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(label="Adresse e-mail", max_length=254)

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None):
        """Through the outbox, like every e-mail: a refusing mail server is recorded, never silent.
        The link names SITE_URL, not the host this request reached (a node behind the load balancer)."""
        protocol, domain = site_protocol_and_domain()
        context = {**context, "protocol": protocol, "domain": domain}
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        html_body = render_to_string(html_email_template_name, context) if html_email_template_name else ""
        services.send_password_reset_email(context["user"], subject, body, html_body)
