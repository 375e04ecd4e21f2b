from django.conf import settings

SITE_TITLE = "Territoires des 1000 premiers jours"


def site(request):
    """Values every page needs: the platform name, demo banner and DSFR site config."""
    return {
        "SITE_CONFIG": {
            "site_title": SITE_TITLE,
            "site_tagline": "La plateforme partagée de la politique des 1000 premiers jours",
        },
        "SITE_TITLE": SITE_TITLE,
        "DEMO_MODE": settings.DEMO_MODE,
        "oidc_enabled": settings.OIDC_ENABLED,
    }
