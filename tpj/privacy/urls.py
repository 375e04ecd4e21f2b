from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.MyDataView.as_view(), name="my-data"),
    path("export.json", views.ExportView.as_view(), name="export"),
    path("supprimer-mon-compte/", views.DeleteAccountView.as_view(), name="delete-account"),
]
