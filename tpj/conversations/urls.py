from django.urls import path

from . import views

app_name = "conversations"

urlpatterns = [
    path("pieces-jointes/<int:pk>/", views.AttachmentView.as_view(), name="attachment"),
    path("<slug:kind>/<int:pk>/", views.ThreadView.as_view(), name="thread"),
    path("<slug:kind>/<int:pk>/echanges.csv", views.ExportView.as_view(), name="export"),
]
