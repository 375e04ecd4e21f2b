from django.urls import path

from . import api

urlpatterns = [
    path("me/data/", api.MyDataView.as_view(), name="api-my-data"),
    path("me/delete/", api.DeleteAccountView.as_view(), name="api-delete-account"),
]
