from django.conf import settings

from .accessibility import current_audit
from .urls_absolute import site_url

SITE_TITLE = "Territoires des 1000 premiers jours"


def site(request):
    """Values every page needs: the platform name, demo banner, DSFR site config and the
    état de conformité RGAA the footer shows (computed from the audit data), and the public
    root of the site (SITE_URL, no trailing slash) for any absolute address a page writes."""
    return {
        "SITE_CONFIG": {
            "site_title": SITE_TITLE,
            "site_tagline": "La plateforme partagée de la politique des 1000 premiers jours",
        },
        "SITE_TITLE": SITE_TITLE,
        "SITE_URL": site_url(),
        "DEMO_MODE": settings.DEMO_MODE,
        "oidc_enabled": settings.OIDC_ENABLED,
        "ACCESSIBILITY_STATE": current_audit().compliance.state,
    }
