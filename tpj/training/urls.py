from django.urls import path

from tpj.core.public_cache.marking import public_read
from tpj.core.public_cache.versions import TRAINING

from .views import moderation, organisations, plans, public, reports, steering
from .views.exports import CatalogueExportView

app_name = "training"

urlpatterns = [
    # Served to anonymous visitors from the public cache (tpj/core/public_cache), as the directory.
    # Not the offer's page: it links to its organisation's registry entry (valorisation's
    # training_links), which registry changes would have to invalidate too.
    path("", public_read(TRAINING)(public.SearchView.as_view()), name="search"),
    path("offres/<int:pk>/", public.OfferDetailView.as_view(), name="offer"),
    path("mes-offres/", organisations.MyOffersView.as_view(), name="mine"),
    path("organismes/inscrire/", organisations.OrganisationCreateView.as_view(), name="register-organisation"),
    path("organismes/<int:pk>/nouvelle-offre/", organisations.OfferCreateView.as_view(), name="create"),
    path("offres/<int:pk>/modifier/", organisations.OfferEditView.as_view(), name="edit"),
    path("offres/<int:pk>/action/", organisations.OfferMoveView.as_view(), name="move"),
    path("moderation/", moderation.ModerationQueueView.as_view(), name="moderation"),
    path("moderation/<int:pk>/", moderation.ModerationDetailView.as_view(), name="moderate"),
    # Steering (journey 6): the coverage by theme × département, and its exports
    path("pilotage/", steering.SteeringView.as_view(), name="steering"),
    path("pilotage/export.csv", steering.SteeringExportView.as_view(format="csv"), name="steering-csv"),
    path("pilotage/export.xlsx", steering.SteeringExportView.as_view(format="xlsx"), name="steering-xlsx"),
    # Journey 4: a team's training plans
    path("plans/", plans.PlanListView.as_view(), name="plans"),
    path("plans/<int:pk>/", plans.PlanDetailView.as_view(), name="plan"),
    path("plans/<int:pk>/renommer/", plans.PlanRenameView.as_view(), name="plan-rename"),
    path("plans/<int:pk>/supprimer/", plans.PlanDeleteView.as_view(), name="plan-delete"),
    path("plans/<int:pk>/exporter/<str:fmt>/", plans.PlanExportView.as_view(), name="plan-export"),
    path("plans/<int:pk>/offres/<int:item>/", plans.PlanItemView.as_view(), name="plan-item"),
    path("plans/<int:pk>/offres/<int:item>/retirer/", plans.PlanItemRemoveView.as_view(), name="plan-item-remove"),
    path("offres/<int:pk>/ajouter-a-un-plan/", plans.AddToPlanView.as_view(), name="add-to-plan"),
    # Journey 5: the bilans of the sessions
    path("bilans/", reports.ReportListView.as_view(), name="reports"),
    path("sessions/<int:pk>/bilan/", reports.SessionReportView.as_view(), name="session-report"),
    # Open data: the catalogue of published offers (CSV, JSON, LHEO XML)
    path("export/catalogue.<str:fmt>", CatalogueExportView.as_view(), name="export"),
]
