from django.urls import path

from . import views

app_name = "calls"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("campagnes/", views.CampaignListView.as_view(), name="campaigns"),
    path("campagnes/nouvelle/", views.CampaignEditView.as_view(), name="campaign-create"),
    path("campagnes/<int:pk>/", views.CampaignBoardView.as_view(), name="campaign-board"),
    path("campagnes/<int:pk>/modifier/", views.CampaignEditView.as_view(), name="campaign-edit"),
    path("campagnes/<int:pk>/laureats.<str:fmt>", views.CampaignExportView.as_view(), name="campaign-export"),
    path("declaration-d-intention/", views.DeclareIntentView.as_view(), name="declare"),
    path("nouveau/", views.CallCreateView.as_view(), name="call-create"),
    path("<int:pk>/", views.CallDetailView.as_view(), name="call-detail"),
    path("<int:pk>/modifier/", views.CallEditView.as_view(), name="call-edit"),
    path("<int:pk>/action/<str:name>/", views.CallTransitionView.as_view(), name="call-transition"),
    path("<int:pk>/cahier-des-charges.pdf", views.CallDocumentView.as_view(), name="call-document"),
    path("<int:pk>/candidatures/", views.CallApplicationsView.as_view(), name="call-applications"),
    path("<int:pk>/jury/", views.JuryView.as_view(), name="jury"),
    path("<int:pk>/classement/", views.RankingView.as_view(), name="ranking"),
    path("<int:pk>/decisions/", views.AllocationView.as_view(), name="allocation"),
    path("<int:pk>/notifier/", views.NotifyView.as_view(), name="notify"),
    path("<int:pk>/export/<str:fmt>/", views.CallExportView.as_view(), name="call-export"),
    path("<int:pk>/candidater/", views.ApplicationCreateView.as_view(), name="application-create"),
    path("candidatures/<int:pk>/", views.ApplicationDetailView.as_view(), name="application-detail"),
    path("candidatures/<int:pk>/modifier/", views.ApplicationEditView.as_view(), name="application-edit"),
    path("candidatures/<int:pk>/action/<str:name>/", views.ApplicationActionView.as_view(), name="application-action"),
    path("candidatures/<int:pk>/decision.pdf", views.DecisionLetterView.as_view(), name="decision-letter"),
    path("pieces-jointes/<int:pk>/", views.AttachmentView.as_view(), name="attachment"),
    path("jury/", views.MyJuryView.as_view(), name="my-jury"),
    path("notation/<int:pk>/", views.SheetView.as_view(), name="sheet"),
]
