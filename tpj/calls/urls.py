from django.urls import path

from .views import applications, calls, campaigns, decisions, instruction, jury

app_name = "calls"

urlpatterns = [
    path("", calls.IndexView.as_view(), name="index"),
    path("campagnes/", campaigns.CampaignListView.as_view(), name="campaigns"),
    path("campagnes/nouvelle/", campaigns.CampaignEditView.as_view(), name="campaign-create"),
    path("campagnes/<int:pk>/", campaigns.CampaignBoardView.as_view(), name="campaign-board"),
    path("campagnes/<int:pk>/modifier/", campaigns.CampaignEditView.as_view(), name="campaign-edit"),
    path("campagnes/<int:pk>/laureats.<str:fmt>", campaigns.CampaignExportView.as_view(), name="campaign-export"),
    path("declaration-d-intention/", campaigns.DeclareIntentView.as_view(), name="declare"),
    path("nouveau/", calls.CallCreateView.as_view(), name="call-create"),
    path("<int:pk>/", calls.CallDetailView.as_view(), name="call-detail"),
    path("<int:pk>/modifier/", calls.CallEditView.as_view(), name="call-edit"),
    path("<int:pk>/action/<str:name>/", calls.CallTransitionView.as_view(), name="call-transition"),
    path("<int:pk>/cahier-des-charges.pdf", calls.CallDocumentView.as_view(), name="call-document"),
    path("<int:pk>/candidatures/", calls.CallApplicationsView.as_view(), name="call-applications"),
    path("<int:pk>/jury/", jury.JuryView.as_view(), name="jury"),
    path("<int:pk>/classement/", jury.RankingView.as_view(), name="ranking"),
    path("<int:pk>/decisions/", decisions.AllocationView.as_view(), name="allocation"),
    path("<int:pk>/notifier/", decisions.NotifyView.as_view(), name="notify"),
    path("<int:pk>/export/<str:fmt>/", calls.CallExportView.as_view(), name="call-export"),
    path("<int:pk>/candidater/", applications.ApplicationCreateView.as_view(), name="application-create"),
    path("candidatures/<int:pk>/", applications.ApplicationDetailView.as_view(), name="application-detail"),
    path("candidatures/<int:pk>/modifier/", applications.ApplicationEditView.as_view(), name="application-edit"),
    path("candidatures/<int:pk>/action/<str:name>/", instruction.ApplicationActionView.as_view(), name="application-action"),
    path("candidatures/<int:pk>/decision.pdf", decisions.DecisionLetterView.as_view(), name="decision-letter"),
    path("pieces-jointes/<int:pk>/", applications.AttachmentView.as_view(), name="attachment"),
    path("jury/", jury.MyJuryView.as_view(), name="my-jury"),
    path("notation/<int:pk>/", jury.SheetView.as_view(), name="sheet"),
]
