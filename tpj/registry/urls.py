from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("", views.DirectoryView.as_view(), name="directory"),
    path("fiches/<int:pk>/", views.EntryDetailView.as_view(), name="entry"),
    path("mes-fiches/", views.MyEntriesView.as_view(), name="mine"),
    path("inscrire/", views.EntryCreateView.as_view(), name="create"),
    path("fiches/<int:pk>/modifier/", views.EntryEditView.as_view(), name="edit"),
    path("fiches/<int:pk>/soumettre/", views.SubmitView.as_view(), name="submit"),
    path("fiches/<int:pk>/membres/", views.MembersView.as_view(), name="members"),
    path("fiches/<int:pk>/logo.<str:fmt>", views.LogoView.as_view(), name="logo"),
    path("justificatifs/<int:pk>/", views.EvidenceView.as_view(), name="evidence"),
    path("moderation/", views.ModerationQueueView.as_view(), name="moderation"),
    path("moderation/<int:pk>/", views.ModerationDetailView.as_view(), name="moderate"),
    path("verification/<uuid:public_id>/", views.VerificationView.as_view(), name="verification"),
    path("verification/<uuid:public_id>/qr.png", views.VerificationQRView.as_view(), name="verification-qr"),
    path("partenaires/", views.PartnersView.as_view(), name="partners"),
    path("export.<str:fmt>", views.ExportView.as_view(), name="export"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("import/<int:pk>/", views.ImportJobView.as_view(), name="import-job"),
]
