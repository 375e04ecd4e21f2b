"""What the projetothèque shows of a laureate project: the attributes its pages read, its CSV
columns and its GeoJSON properties. Shared by the pages, the priorities pages and the open data
catalogue, so it lives outside the view modules."""

from django.urls import reverse

from tpj.core.urls_absolute import absolute_reverse

from .exports import point_feature
from .projects import funding, location, national_axes

PROJECTS_HEADER = [
    "id",
    "projet",
    "structure porteuse",
    "type de porteur",
    "partenaires",
    "région",
    "départements",
    "lieux d'action (codes INSEE)",
    "lieux d'action",
    "axes",
    "année",
    "financements",
    "montant total (€)",
    "indicateurs",
    "coup de cœur",
    "latitude",
    "longitude",
    "page",
]


def page_url(project) -> str:
    """The project's absolute permalink."""
    return absolute_reverse("valorisation:project", args=[project.pk])


def decorate(project) -> object:
    """Attach what the project page and the exports read (computed from prefetched relations)."""
    project.axes_list = national_axes(project)
    project.point = location(project)
    project.is_highlight = any(True for _ in project.highlights.all())
    project.departements = sorted({c.departement_id for c in project.places.all()})
    project.funding_list = funding(project)
    project.funding_total = sum((amount for _, amount in project.funding_list), 0)
    return project


def project_row(p) -> list:
    """One CSV line of a decorated project, in PROJECTS_HEADER order."""
    point = p.point or (None, None)
    return [
        p.pk,
        p.title,
        p.organisation.name,
        p.organisation.get_kind_display(),
        " | ".join(x.name for x in p.partners.all()),
        p.call.region.name,
        " ".join(p.departements),
        " ".join(c.insee_code for c in p.places.all()),
        " | ".join(c.name for c in p.places.all()),
        " | ".join(f"Axe {a.number}" for a in p.axes_list),
        p.call.campaign.year,
        " | ".join(f"{label} : {amount}" for label, amount in p.funding_list),
        p.funding_total,
        " | ".join(f"{i.name} (cible : {i.target})" for i in p.indicators.all()),
        "oui" if p.is_highlight else "non",
        point[0],
        point[1],
        page_url(p),
    ]


def project_feature(p) -> dict:
    """The GeoJSON point of a decorated project that has one."""
    return point_feature(
        p.point[1],
        p.point[0],
        {
            "id": p.pk,
            "titre": p.title,
            "porteur": p.organisation.name,
            "region": p.call.region.name,
            "annee": p.call.campaign.year,
            "axes": [a.number for a in p.axes_list],
            "coup_de_coeur": p.is_highlight,
            "page": reverse("valorisation:project", args=[p.pk]),
        },
    )
