from django.urls import path

from . import dashboard_views, library_views, priority_views, project_views, views

app_name = "valorisation"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    # Projetothèque
    path("projets/", project_views.ProjectListView.as_view(), name="projects"),
    path("projets/projets-laureats.csv", project_views.ProjectsCsvView.as_view(), name="projects-csv"),
    path("projets/projets-laureats.geojson", project_views.ProjectsGeoJsonView.as_view(), name="projects-geojson"),
    path("projets/<int:pk>/", project_views.ProjectDetailView.as_view(), name="project"),
    path("projets/<int:pk>/coup-de-coeur/", project_views.HighlightView.as_view(), name="highlight"),
    # National dashboard
    path("tableau-de-bord/", dashboard_views.DashboardView.as_view(), name="dashboard"),
    path("tableau-de-bord/regions.csv", dashboard_views.DashboardRegionsCsvView.as_view(), name="dashboard-regions-csv"),
    path(
        "tableau-de-bord/departements.csv",
        dashboard_views.DashboardDepartementsCsvView.as_view(),
        name="dashboard-departements-csv",
    ),
    # Shared library of calls
    path("bibliotheque/", library_views.LibraryView.as_view(), name="library"),
    path("bibliotheque/<int:pk>/", library_views.LibraryCallView.as_view(), name="library-call"),
    path("bibliotheque/<int:pk>/cahier-des-charges/", library_views.LibraryDocumentView.as_view(), name="library-document"),
    # Priorities
    path("priorites/", priority_views.PriorityListView.as_view(), name="priorities"),
    path("priorites/<int:number>/", priority_views.PriorityDetailView.as_view(), name="priority"),
    # Open data
    path("donnees/", views.OpenDataView.as_view(), name="opendata"),
    path("donnees/catalogue.json", views.OpenDataCatalogueView.as_view(), name="opendata-catalogue"),
    path("donnees/subventions-scdl.csv", views.ScdlView.as_view(), name="opendata-scdl"),
    path("donnees/repartition-postes.csv", views.LatestApportionmentCsvView.as_view(), name="opendata-apportionment"),
    path("donnees/deploiements.csv", views.AllDeploymentsCsvView.as_view(), name="deployments-all-csv"),
    # National measures and the apportionment of posts
    path("mesures/", views.MeasureListView.as_view(), name="measures"),
    path("mesures/mesures-nationales.csv", views.MeasuresCsvView.as_view(), name="measures-csv"),
    path("mesures/repartitions/", views.ApportionmentListView.as_view(), name="apportionments"),
    path("mesures/repartitions/importer/", views.BirthsImportView.as_view(), name="births-import"),
    path("mesures/repartitions/naissances/<int:pk>/", views.BirthsTableView.as_view(), name="births"),
    path("mesures/repartitions/naissances/<int:pk>/repartir/", views.ApportionView.as_view(), name="apportion"),
    path("mesures/repartitions/<int:pk>/", views.ApportionmentDetailView.as_view(), name="apportionment"),
    path("mesures/repartitions/<int:pk>/repartition.csv", views.ApportionmentCsvView.as_view(), name="apportionment-csv"),
    path("mesures/<slug:slug>/", views.MeasureDetailView.as_view(), name="measure"),
    path("mesures/<slug:slug>/deploiements/", views.DeploymentCreateView.as_view(), name="deployment-create"),
    path("mesures/<slug:slug>/deploiements.csv", views.DeploymentsCsvView.as_view(), name="deployments-csv"),
]
