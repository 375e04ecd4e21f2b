from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.NotificationListView.as_view(), name="list"),
    path("<int:pk>/ouvrir/", views.OpenView.as_view(), name="open"),
    path("tout-marquer-comme-lu/", views.MarkAllReadView.as_view(), name="mark-all-read"),
    path("preferences/", views.PreferencesView.as_view(), name="preferences"),
]
