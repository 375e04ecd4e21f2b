from django.urls import path

from tpj.core.public_cache.marking import public_read
from tpj.core.public_cache.versions import REGISTRY

from .views import claims, exports, imports, members, moderation, public, review

app_name = "registry"

urlpatterns = [
    # Served to anonymous visitors from the public cache (tpj/core/public_cache).
    path("", public_read(REGISTRY)(public.DirectoryView.as_view()), name="directory"),
    path("fiches/<int:pk>/", public_read(REGISTRY)(public.EntryDetailView.as_view()), name="entry"),
    path("mes-fiches/", members.MyEntriesView.as_view(), name="mine"),
    path("inscrire/", members.EntryCreateView.as_view(), name="create"),
    path("fiches/<int:pk>/modifier/", members.EntryEditView.as_view(), name="edit"),
    path("fiches/<int:pk>/soumettre/", members.SubmitView.as_view(), name="submit"),
    path("fiches/<int:pk>/membres/", members.MembersView.as_view(), name="members"),
    path("fiches/<int:pk>/logo.<str:fmt>", public.LogoView.as_view(), name="logo"),
    path("justificatifs/<int:pk>/", members.EvidenceView.as_view(), name="evidence"),
    path("moderation/", moderation.ModerationQueueView.as_view(), name="moderation"),
    path("moderation/<int:pk>/", moderation.ModerationDetailView.as_view(), name="moderate"),
    path("fiches/<int:pk>/revendiquer/", claims.ClaimEntryView.as_view(), name="claim-entry"),
    path("moderation/revendications/", claims.ClaimsQueueView.as_view(), name="claims"),
    path("moderation/revendications/<int:pk>/", claims.ClaimDetailView.as_view(), name="claim"),
    path("revendications/<int:pk>/retirer/", claims.ClaimWithdrawView.as_view(), name="claim-withdraw"),
    path("invitation/<str:token>/", members.InvitationView.as_view(), name="invitation"),
    path("moderation/revue-annuelle/", review.ReviewQueueView.as_view(), name="review-queue"),
    path("fiches/<int:pk>/confirmer/", review.MemberConfirmView.as_view(), name="review-confirm-member"),
    path("confirmer/<str:token>/", review.ReviewConfirmView.as_view(), name="review-confirm"),
    path("verification/<uuid:public_id>/", public.VerificationView.as_view(), name="verification"),
    path("verification/<uuid:public_id>/qr.png", public.VerificationQRView.as_view(), name="verification-qr"),
    path("partenaires/", public.PartnersView.as_view(), name="partners"),
    path("export.<str:fmt>", exports.ExportView.as_view(), name="export"),
    path("import/", imports.ImportView.as_view(), name="import"),
    path("import/<int:pk>/", imports.ImportJobView.as_view(), name="import-job"),
]
