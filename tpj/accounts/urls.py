from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "accounts"

urlpatterns = [
    path("inscription/", views.SignupView.as_view(), name="signup"),
    path("confirmer/<str:token>/", views.ConfirmEmailView.as_view(), name="confirm-email"),
    path("renvoyer-confirmation/", views.ResendConfirmationView.as_view(), name="resend-confirmation"),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    # « Mon espace » moved to /mon-espace/ (tpj.workspace): old bookmarks and e-mails follow it.
    path("mon-espace/", RedirectView.as_view(url="/mon-espace/", permanent=True), name="dashboard"),
    path("mot-de-passe/", views.PasswordResetView.as_view(), name="password-reset"),
    path("mot-de-passe/envoye/", views.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path("mot-de-passe/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
    path("mot-de-passe/termine/", views.PasswordResetCompleteView.as_view(), name="password-reset-complete"),
]
