from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("tpj.core.urls")),
    path("comptes/", include("tpj.accounts.urls")),
    path("mon-espace/", include("tpj.workspace.urls")),
    path("territoires/", include("tpj.territories.urls")),
    path("journal/", include("tpj.audit.urls")),
    path("annuaire/", include("tpj.registry.urls")),
    path("appels-a-projets/", include("tpj.calls.urls")),
    path("valorisation/", include("tpj.valorisation.urls")),
    path("formations/", include("tpj.training.urls")),
    path("mes-donnees/", include("tpj.privacy.urls")),
    path("mon-espace/notifications/", include("tpj.notifications.urls")),
    path("telechargements/", include("tpj.downloads.urls")),
    path("echanges/", include("tpj.conversations.urls")),
    path("api/v1/", include("config.api_urls")),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "tpj.core.views.page_not_found"
handler500 = "tpj.core.views.server_error"
