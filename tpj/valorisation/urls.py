from django.urls import path
from django.views.generic import TemplateView

app_name = "valorisation"

urlpatterns = [path("", TemplateView.as_view(template_name="valorisation/index.html"), name="index")]
