from django.urls import path

from tpj.core.public_cache.marking import public_read
from tpj.core.public_cache.versions import PROJECTS

from .views import apportionments, dashboard, index, library, measures, opendata, priorities, projects

app_name = "valorisation"

urlpatterns = [
    path("", index.IndexView.as_view(), name="index"),
    # Projetothèque
    # The projetothèque's list and pages, served to anonymous visitors from the public cache.
    path("projets/", public_read(PROJECTS)(projects.ProjectListView.as_view()), name="projects"),
    path("projets/projets-laureats.csv", projects.ProjectsCsvView.as_view(), name="projects-csv"),
    path("projets/projets-laureats.geojson", projects.ProjectsGeoJsonView.as_view(), name="projects-geojson"),
    path("projets/<int:pk>/", public_read(PROJECTS)(projects.ProjectDetailView.as_view()), name="project"),
    path("projets/<int:pk>/coup-de-coeur/", projects.HighlightView.as_view(), name="highlight"),
    # National dashboard
    path("tableau-de-bord/", dashboard.DashboardView.as_view(), name="dashboard"),
    path("tableau-de-bord/regions.csv", dashboard.DashboardRegionsCsvView.as_view(), name="dashboard-regions-csv"),
    path(
        "tableau-de-bord/departements.csv",
        dashboard.DashboardDepartementsCsvView.as_view(),
        name="dashboard-departements-csv",
    ),
    # Shared library of calls
    path("bibliotheque/", library.LibraryView.as_view(), name="library"),
    path("bibliotheque/<int:pk>/", library.LibraryCallView.as_view(), name="library-call"),
    path("bibliotheque/<int:pk>/cahier-des-charges/", library.LibraryDocumentView.as_view(), name="library-document"),
    # Priorities
    path("priorites/", priorities.PriorityListView.as_view(), name="priorities"),
    path("priorites/<int:number>/", priorities.PriorityDetailView.as_view(), name="priority"),
    # Open data
    path("donnees/", opendata.OpenDataView.as_view(), name="opendata"),
    path("donnees/catalogue.json", opendata.OpenDataCatalogueView.as_view(), name="opendata-catalogue"),
    path("donnees/subventions-scdl.csv", opendata.ScdlView.as_view(), name="opendata-scdl"),
    path("donnees/repartition-postes.csv", opendata.LatestApportionmentCsvView.as_view(), name="opendata-apportionment"),
    path("donnees/deploiements.csv", opendata.AllDeploymentsCsvView.as_view(), name="deployments-all-csv"),
    # National measures
    path("mesures/", measures.MeasureListView.as_view(), name="measures"),
    path("mesures/mesures-nationales.csv", measures.MeasuresCsvView.as_view(), name="measures-csv"),
    # Births and the apportionment of posts
    path("mesures/repartitions/", apportionments.ApportionmentListView.as_view(), name="apportionments"),
    path("mesures/repartitions/importer/", apportionments.BirthsImportView.as_view(), name="births-import"),
    path("mesures/repartitions/naissances/<int:pk>/", apportionments.BirthsTableView.as_view(), name="births"),
    path("mesures/repartitions/naissances/<int:pk>/repartir/", apportionments.ApportionView.as_view(), name="apportion"),
    path("mesures/repartitions/<int:pk>/", apportionments.ApportionmentDetailView.as_view(), name="apportionment"),
    path(
        "mesures/repartitions/<int:pk>/repartition.csv",
        apportionments.ApportionmentCsvView.as_view(),
        name="apportionment-csv",
    ),
    # Each measure (after the fixed paths above, which its slug would otherwise match)
    path("mesures/<slug:slug>/", measures.MeasureDetailView.as_view(), name="measure"),
    path("mesures/<slug:slug>/deploiements/", measures.DeploymentCreateView.as_view(), name="deployment-create"),
    path("mesures/<slug:slug>/deploiements.csv", measures.DeploymentsCsvView.as_view(), name="deployments-csv"),
]
