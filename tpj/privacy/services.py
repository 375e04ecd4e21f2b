"""Personal data operations: export everything held about a user, delete (anonymise) an
account, purge old abandoned drafts.

Decisions (see docs/reliability.md, "Données personnelles"):
- Deleting an account anonymises the User row instead of deleting it: applications,
  decisions and jury scores reference it and must be kept (public funding, art. 17.3.b
  RGPD). E-mail, names, password, tokens, sessions and role assignments are erased.
- Registry entries: the member is removed; an entry left without members is transferred
  to the member named by `transfer_to` when given, otherwise its non-public contact
  channels are erased and drafts/rejected entries are deleted.
- Notifications and notification preferences are the person's own: exported, and deleted
  with the account (those that name the person as the author of an action, in other
  people's notifications, point to the anonymised account).
- Training plans (their names, « qui doit y aller », notes) are the person's own: exported,
  and deleted with the account.
- Requests to manage an entry (claims) are exported; those still awaiting a decision are
  withdrawn with the account (nobody is left to grant it to), decided ones are kept as the
  trace of who was given an entry.
- Messages the person wrote in a file's conversation are exported (internal notes included:
  they are their author's own words). They stay in the file's history after the account is
  deleted, under the anonymised account: the thread is part of the file.
- The audit log is append-only and kept as is, including the actor's label: it is the
  legal trace of who verified or funded what (legal obligation, art. 17.3.b and e).
"""

import datetime
import json
import uuid

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from tpj.accounts.services import TokenRevocation, revoke_tokens
from tpj.audit.models import AuditEvent
from tpj.audit.services import record
from tpj.calls.models import Application, ApplicationState, IntentDeclaration, JuryMember
from tpj.conversations.models import Message
from tpj.core.errors import Conflict
from tpj.notifications.models import Notification, NotificationPreference
from tpj.registry.models import Entry, EntryClaim, State
from tpj.registry.models.claims import OPEN_CLAIM_STATES
from tpj.training.models import TrainingPlan

from .register import REGISTER

ANONYMOUS_DOMAIN = "anonyme.invalid"
# What was never published nor decided, so it may go with its author or after the retention.
UNFINISHED_ENTRY_STATES = (State.DRAFT, State.REJECTED)
UNFINISHED_APPLICATION_STATES = (ApplicationState.DRAFT, ApplicationState.WITHDRAWN)


def _row(obj, fields=None) -> dict:
    fields = fields or [f.name for f in obj._meta.concrete_fields]
    data = {}
    for name in fields:
        value = getattr(obj, name if not obj._meta.get_field(name).is_relation else f"{name}_id", None)
        if hasattr(value, "name") and hasattr(value, "url"):  # files: the name only
            value = value.name
        data[name] = value
    return data


def export_user_data(user) -> dict:
    """Everything the platform holds about `user`, as JSON-ready data."""
    data = {
        "exporte_le": timezone.now(),
        "compte": _row(
            user,
            ["email", "first_name", "last_name", "organisation", "is_active", "date_joined", "last_login", "email_confirmed_at"],
        ),
        "organisation": _row(user.organisation, ["name", "kind", "siret", "commune", "region"]) if user.organisation else None,
        "roles": [
            {
                "role": a.role,
                "perimetre": a.scope_level,
                "region": a.region_id,
                "departements": [d.code for d in a.departements.all()],
                "actif": a.is_active,
                "attribue_le": a.granted_at,
            }
            for a in user.role_assignments.all()
        ],
        "registre_des_traitements": {key: field.__dict__ for key, field in REGISTER.items()},
    }
    data["fiches_annuaire"] = [
        {
            **_row(e, ["name", "address", "postal_code", "commune", "website", "state", "created_at", "updated_at"]),
            "contacts": [_row(c, ["kind", "value", "is_public"]) for c in e.contacts.all()],
            "justificatifs": [
                _row(s, ["trusting_body_name", "reference_type", "reference_value", "evidence_name"]) for s in e.situations.all()
            ],
        }
        for e in Entry.objects.filter(members=user).prefetch_related("contacts", "situations")
    ]
    data["candidatures"] = [
        _row(a, ["reference", "title", "state", "call", "organisation", "created_at", "submitted_at", "decided_at"])
        for a in Application.objects.filter(created_by=user)
    ]
    data["sieges_de_jury"] = [_row(j, ["call", "kind"]) for j in JuryMember.objects.filter(user=user)]
    data["declarations_d_intention"] = [
        _row(d, ["campaign", "region", "agency", "referent_name", "referent_email", "declared_at"])
        for d in IntentDeclaration.objects.filter(declared_by=user)
    ]
    data["notifications"] = [
        _row(n, ["created_at", "kind", "title", "body", "url", "delivery", "read_at", "emailed_at"])
        for n in Notification.objects.for_user(user).order_by("created_at", "pk")
    ]
    data["preferences_de_notification"] = [
        _row(p, ["kind", "delivery"]) for p in NotificationPreference.objects.filter(user=user).order_by("kind")
    ]
    data["plans_de_formation"] = [
        {
            **_row(p, ["name", "created_at", "updated_at"]),
            "offres": [_row(i, ["offer", "session", "attendees", "note", "added_at"]) for i in p.items.all()],
        }
        for p in TrainingPlan.objects.filter(owner=user).prefetch_related("items")
    ]
    data["demandes_de_gestion_de_fiche"] = [
        {**_row(c, ["matched_on", "message", "state", "created_at", "decided_at", "reason"]), "fiche": c.entry.name}
        for c in EntryClaim.objects.filter(claimant=user).select_related("entry").order_by("created_at", "pk")
    ]
    data["messages"] = [
        {
            **_row(m, ["created_at", "side", "body", "internal"]),
            "dossier": str(m.thread.file) if m.thread.file is not None else "",
            "pieces_jointes": [a.original_name for a in m.attachments.all()],
        }
        for m in Message.objects.filter(author=user)
        .select_related("thread__content_type")
        .prefetch_related("attachments")
        .order_by("created_at", "pk")
    ]
    data["journal_d_audit"] = [
        _row(e, ["created_at", "action", "object_repr", "from_state", "to_state", "reason"])
        for e in AuditEvent.objects.filter(actor=user)
    ]
    record(actor=user, obj=user, action="privacy.export")
    return data


def export_json(user) -> str:
    return json.dumps(export_user_data(user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


class DeletionError(Exception):
    """Its message is the French explanation shown to the user."""


@transaction.atomic
def delete_account(user, *, transfer_to=None) -> dict:
    """Anonymise `user` (see the module docstring); return what was done, for the page."""
    User = apps.get_model(settings.AUTH_USER_MODEL)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:  # a concurrent request (double click, second tab) got the lock first
        raise Conflict("Ce compte a déjà été supprimé.")
    if transfer_to is not None and (transfer_to.pk == user.pk or not transfer_to.is_active):
        raise DeletionError("Choisissez un autre membre actif pour reprendre vos fiches.")
    summary = {"fiches_transferees": 0, "fiches_supprimees": 0, "fiches_conservees": 0}
    for entry in Entry.objects.filter(members=user).prefetch_related("members"):
        entry.members.remove(user)
        if entry.members.exists():
            continue
        if transfer_to is not None:
            entry.members.add(transfer_to)
            summary["fiches_transferees"] += 1
        elif entry.state in UNFINISHED_ENTRY_STATES:
            entry.delete()
            summary["fiches_supprimees"] += 1
        else:
            entry.contacts.filter(is_public=False).delete()
            summary["fiches_conservees"] += 1
    # A request to manage an entry that nobody decided yet goes with its author.
    summary["demandes_retirees"] = EntryClaim.objects.filter(claimant=user, state__in=OPEN_CLAIM_STATES).delete()[0]
    record(actor=user, obj=user, action="privacy.delete_account", after=summary)
    revoke_tokens(user, TokenRevocation.ANONYMISATION, actor=user)
    label = f"compte-supprime-{uuid.uuid4().hex[:12]}@{ANONYMOUS_DOMAIN}"
    user.email, user.first_name, user.last_name = label, "", ""
    user.is_active, user.organisation = False, None
    user.set_unusable_password()
    user.save()
    user.role_assignments.all().delete()
    Notification.objects.filter(recipient=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
    TrainingPlan.objects.filter(owner=user).delete()  # its items, who should go included, with it
    for session in Session.objects.filter(expire_date__gte=timezone.now()):
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
    return summary


def purge_drafts(now=None, *, dry_run=False) -> dict[str, int]:
    """Delete abandoned drafts and rejected submissions untouched for DRAFT_RETENTION_DAYS.

    Registry entries in draft or rejected state, and call applications in draft or
    withdrawn state. Funding decisions (decided applications) are never purged."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.DRAFT_RETENTION_DAYS)
    targets = {
        "registry.Entry": Entry.objects.filter(state__in=UNFINISHED_ENTRY_STATES, updated_at__lt=cutoff),
        "calls.Application": Application.objects.filter(state__in=UNFINISHED_APPLICATION_STATES, updated_at__lt=cutoff),
    }
    counts = {}
    with transaction.atomic():
        for label, stale in targets.items():
            counts[label] = stale.count()
            if not dry_run and counts[label]:
                ids = list(stale.values_list("pk", flat=True))
                stale.model.objects.filter(pk__in=ids).delete()
        if not dry_run:
            record(actor=None, action="privacy.purge_drafts", after={**counts, "avant": cutoff.isoformat()})
    return counts
