"""The landing page of Module 3: one card per section."""

from django.urls import reverse
from django.views.generic import TemplateView

from .mixins import PublicMixin

# (URL name, title, text, restricted): the landing page's cards, in reading order.
SECTIONS = [
    (
        "valorisation:projects",
        "Projetothèque et carte des projets",
        "Les projets lauréats des appels à projets régionaux, sur une carte et dans un catalogue filtrable, avec le coup de "
        "cœur de chaque région.",
        False,
    ),
    (
        "valorisation:priorities",
        "Les 10 priorités",
        "Chaque priorité expliquée et illustrée par des projets lauréats et des professionnels vérifiés près de chez vous.",
        False,
    ),
    (
        "valorisation:dashboard",
        "Tableau de bord national",
        "Par région : déclarations, appels et calendrier, enveloppes, candidatures, lauréats, transmission ; couverture de "
        "l'annuaire et file de modération.",
        True,
    ),
    (
        "valorisation:library",
        "Bibliothèque des appels à projets",
        "Les appels de toutes les régions, en préparation ou lancés, avec leurs documents, axes, ciblage et critères.",
        True,
    ),
    (
        "valorisation:measures",
        "Mesures nationales",
        "Les mesures déployées par les ARS, leur cible nationale, les déploiements par région et la répartition des postes "
        "des staffs médico-psycho-sociaux des maternités.",
        False,
    ),
    (
        "valorisation:apportionments",
        "Répartition des postes selon les naissances",
        "La répartition des 100 postes entre régions au prorata des parturientes, par la méthode des plus forts restes.",
        False,
    ),
    (
        "valorisation:opendata",
        "Données ouvertes",
        "Tous les exports publics de la plateforme, avec leur schéma, leur licence (Licence Ouverte 2.0) et leur date de mise à jour.",
        False,
    ),
]


class IndexView(PublicMixin, TemplateView):
    template_name = "valorisation/index.html"

    def get_context_data(self, **kwargs):
        cards = [
            {
                "link": reverse(name),
                "title": title,
                "description": text,
                "heading_tag": "h2",
                **(
                    {"top_detail": {"badges": [{"label": "Accès réservé", "extra_classes": "fr-badge--sm fr-badge--info"}]}}
                    if restricted
                    else {}
                ),
            }
            for name, title, text, restricted in SECTIONS
        ]
        return {**super().get_context_data(**kwargs), "cards": cards}
