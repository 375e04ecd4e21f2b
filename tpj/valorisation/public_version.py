"""The projetothèque's public content version (tpj.core.public_cache) and the national
dashboard's: what bumps them.

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
    CallAxis,
    CallState,
    Campaign,
    CoFinancing,
    Envelope,
    EnvelopeRequest,
    Indicator,
    IntentDeclaration,
    MinimumDerogation,
    Partner,
)
from tpj.core.public_cache.versions import DASHBOARD, PROJECTS, bump
from tpj.nomenclatures.models import Axis, Priority
from tpj.territories.models import Departement, Region

from .models import BirthsCount, BirthsTable, Highlight

# What the national dashboard shows (dashboard.build): each saved or deleted bumps the
# `dashboard` version, which keys its cached page body (`dashboard.body_key`). The
# coverage snapshot is written in bulk: `coverage.refresh` bumps it itself.
DASHBOARD_MODELS = (
    Campaign,
    IntentDeclaration,
    Call,
    CallAxis,
    Envelope,
    Application,
    EnvelopeRequest,
    MinimumDerogation,
    BirthsTable,
    BirthsCount,
    Region,
    Departement,
    Axis,
    Priority,
)


def _application_changed(sender, instance, **kwargs):
    if instance.state == ApplicationState.LAUREATE:
        bump(PROJECTS)


def _call_changed(sender, instance, **kwargs):
    if instance.state == CallState.TRANSMITTED:
        bump(PROJECTS)


def _shown_changed(sender, instance, **kwargs):
    bump(PROJECTS)


def _dashboard_changed(sender, **kwargs):
    bump(DASHBOARD)


def connect() -> None:
    """Called once, by ValorisationConfig.ready()."""
    for signal in (post_save, post_delete):
        for model in DASHBOARD_MODELS:
            signal.connect(_dashboard_changed, sender=model, dispatch_uid=f"dashboard_version.{model.__name__}.{signal}")
    for through in (Application.call_axes.through, CallAxis.national_axes.through):  # laureates by national axis
        m2m_changed.connect(_dashboard_changed, sender=through, dispatch_uid=f"dashboard_version.{through.__name__}")
    receivers = {Application: _application_changed, Call: _call_changed, Campaign: _shown_changed}
    receivers |= {Organisation: _shown_changed, Highlight: _shown_changed}
    receivers |= dict.fromkeys((Partner, Indicator, CoFinancing, EnvelopeRequest), _shown_changed)
    for signal in (post_save, post_delete):
        for model, receiver in receivers.items():
            signal.connect(receiver, sender=model, dispatch_uid=f"public_version.{model.__name__}.{signal}")
    m2m_changed.connect(_shown_changed, sender=Application.places.through, dispatch_uid="public_version.Application.places")
