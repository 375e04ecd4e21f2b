"""Invitations raced on PostgreSQL over HTTP: two members inviting one address at once, and
one link opened in several tabs at once. One pending invitation, one membership, no error page."""

import re
import threading

from django.core import mail
from django.db import connections
from django.test import Client

from tests.concurrency import CONCURRENT_ON_POSTGRES
from tests.factories import UserFactory
from tests.registry.factories import verified_entry
from tpj.audit.models import AuditEvent
from tpj.outbox.models import OutgoingEmail
from tpj.registry.emails import MEMBER_INVITATION
from tpj.registry.models import MemberInvitation
from tpj.registry.services.invitations import hash_token

pytestmark = CONCURRENT_ON_POSTGRES
LINK = re.compile(r"/annuaire/invitation/([^/\s]+)/")


def _at_once(users, request):
    """Each user sends `request(client)` at the same moment; return the statuses."""
    barrier, statuses = threading.Barrier(len(users)), []

    def run(user):
        client = Client()
        client.force_login(user, backend="tpj.accounts.backends.EmailBackend")
        barrier.wait(30)
        try:
            response = request(client)
            response.close()
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return statuses


def test_members_inviting_one_address_at_once_leave_one_pending_invitation():
    members = [UserFactory(email=f"membre{n}@lilas.fr") for n in range(4)]
    entry = verified_entry(name="Crèche des Lilas", setup__members=members)

    statuses = _at_once(members, lambda c: c.post(f"/annuaire/fiches/{entry.pk}/membres/", {"email": "nouvelle@lilas.fr"}))

    assert sorted(statuses) == [302] * 4, statuses
    assert MemberInvitation.objects.filter(entry=entry, accepted_at__isnull=True).count() == 1
    # Each invitation replaced the previous one: only the last link works, and it was e-mailed.
    invitation = MemberInvitation.objects.get()
    links = [LINK.search(m.body).group(1) for m in mail.outbox]  # the sent e-mails (the outbox rows forget links)
    assert len(links) == 4 and [hash_token(token) for token in links].count(invitation.token_hash) == 1


def test_one_link_opened_in_several_tabs_at_once_makes_one_member():
    owner = UserFactory(email="directrice@lilas.fr")
    entry = verified_entry(name="Crèche des Lilas", setup__members=[owner])
    client = Client()
    client.force_login(owner, backend="tpj.accounts.backends.EmailBackend")
    client.post(f"/annuaire/fiches/{entry.pk}/membres/", {"email": "nouvelle@lilas.fr"})
    assert OutgoingEmail.objects.filter(purpose=MEMBER_INVITATION).count() == 1
    link = LINK.search(mail.outbox[-1].body).group(0)
    newcomer = UserFactory(email="nouvelle@lilas.fr")

    statuses = _at_once([newcomer] * 4, lambda c: c.get(link))

    assert sorted(statuses) == [302] * 4, statuses  # each tab lands on the entry
    assert list(entry.members.filter(pk=newcomer.pk)) == [newcomer]
    assert AuditEvent.objects.for_object(entry).filter(action="registry.invitation_accepted").count() == 1
