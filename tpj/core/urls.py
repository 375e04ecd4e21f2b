from django.urls import path

from . import views, views_health

app_name = "core"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("mentions-legales/", views.LegalPageView.as_view(template_name="core/legal_notice.html"), name="legal-notice"),
    path("donnees-personnelles/", views.LegalPageView.as_view(template_name="core/privacy.html"), name="privacy"),
    path("accessibilite/", views.AccessibilityStatementView.as_view(), name="accessibility"),
    path("sante/", views_health.health, name="health"),  # the load balancer's health check
    path("plan-du-site/", views.LegalPageView.as_view(template_name="core/sitemap.html"), name="sitemap"),
]
