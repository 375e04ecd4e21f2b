"""The projetothèque's public content version (tpj.core.public_cache): what bumps it.

The projetothèque shows the laureates of transmitted calls (`Application.objects.
public_laureates()`), their carrier, call and campaign, and the régions' coups de cœur.
Each of these saved or deleted bumps the `projetotheque` version once its transaction
commits: a laureate application, a transmitted call (its transmission publishes its
laureates), a campaign, an organisation, a highlight. Other applications and calls are not
public: saving them keeps the cache.

The rows a project card shows with its application (partners, indicators, co-financings,
envelope requests, places) bump it whatever their application's state: they are saved mostly
while an application is drafted, and a bump (one UPDATE after the commit, then the
projetothèque's pages read again) costs less than reading the application to know whether it
is public.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from tpj.accounts.models import Organisation
from tpj.calls.models import (
    Application,
    ApplicationState,
    Call,
    CallState,
    Campaign,
    CoFinancing,
    EnvelopeRequest,
    Indicator,
    Partner,
)
from tpj.core.public_cache.versions import PROJECTS, bump

from .models import Highlight


def _application_changed(sender, instance, **kwargs):
    if instance.state == ApplicationState.LAUREATE:
        bump(PROJECTS)


def _call_changed(sender, instance, **kwargs):
    if instance.state == CallState.TRANSMITTED:
        bump(PROJECTS)


def _shown_changed(sender, instance, **kwargs):
    bump(PROJECTS)


def connect() -> None:
    """Called once, by ValorisationConfig.ready()."""
    receivers = {Application: _application_changed, Call: _call_changed, Campaign: _shown_changed}
    receivers |= {Organisation: _shown_changed, Highlight: _shown_changed}
    receivers |= dict.fromkeys((Partner, Indicator, CoFinancing, EnvelopeRequest), _shown_changed)
    for signal in (post_save, post_delete):
        for model, receiver in receivers.items():
            signal.connect(receiver, sender=model, dispatch_uid=f"public_version.{model.__name__}.{signal}")
    m2m_changed.connect(_shown_changed, sender=Application.places.through, dispatch_uid="public_version.Application.places")
