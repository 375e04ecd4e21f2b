from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.generic import FormView, View

from . import services, throttle
from .forms import FrenchPasswordResetForm, LoginForm, ResendConfirmationForm, SignupForm
from .models import User
from .oidc import FAILURE_MESSAGE
from .signals import PASSWORD_CHANGE_REASON


class SignupView(FormView):
    template_name = "accounts/signup.html"
    form_class = SignupForm

    def form_valid(self, form):
        data = form.cleaned_data
        # New or known address, the same page: the owner of a known one is e-mailed instead.
        services.sign_up(
            email=data["email"], password=data["password1"], first_name=data["first_name"], last_name=data["last_name"]
        )
        return render(self.request, "accounts/signup_done.html", {"email": data["email"]})


class ConfirmEmailView(View):
    def get(self, request, token):
        try:
            user = services.confirm_email(token)
        except services.ConfirmationError as error:
            return render(
                request, "accounts/confirm_failed.html", {"reason": str(error), "form": ResendConfirmationForm()}, status=400
            )
        messages.success(request, "Votre adresse e-mail est confirmée. Vous pouvez vous connecter.")
        login(request, user, backend="tpj.accounts.backends.EmailBackend")
        return redirect("workspace:index")


class ResendConfirmationView(FormView):
    template_name = "accounts/confirm_failed.html"
    form_class = ResendConfirmationForm

    def form_valid(self, form):
        user = User.objects.filter(email=form.cleaned_data["email"].lower(), email_confirmed_at__isnull=True).first()
        if user:
            services.send_confirmation_email(user)
        # Same answer whether or not the account exists: no e-mail enumeration.
        messages.info(self.request, "Si un compte non confirmé existe pour cette adresse, un nouveau lien vient d'être envoyé.")
        return redirect("accounts:login")


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get(self, request, *args, **kwargs):
        if request.GET.get("proconnect") == "echec":
            messages.error(request, FAILURE_MESSAGE)
        return super().get(request, *args, **kwargs)


class LogoutView(auth_views.LogoutView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = FrenchPasswordResetForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form):
        throttle.clear(form.user.email)  # a new password lifts the login lockout
        # Saving the new password revokes the API tokens (signals.py): say it was a reset.
        setattr(form.user, PASSWORD_CHANGE_REASON, services.TokenRevocation.PASSWORD_RESET)
        return super().form_valid(form)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
