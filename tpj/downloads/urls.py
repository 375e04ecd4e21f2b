from django.urls import path

from . import views

app_name = "downloads"

urlpatterns = [
    path("", views.DownloadsView.as_view(), name="list"),
    path("preparer/", views.PrepareView.as_view(), name="prepare"),
    path("<int:pk>/", views.JobView.as_view(), name="job"),
    path("<int:pk>/fichier/", views.FileView.as_view(), name="file"),
]
