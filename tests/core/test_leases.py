"""The one lease rule of the worker tier (tpj.core.leases), on a row of background work."""

import uuid
from datetime import timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from tpj.core import leases
from tpj.outbox.models import OutgoingEmail

pytestmark = pytest.mark.django_db

LEASE = timedelta(minutes=5)
WAITING, WORKING = Q(status=OutgoingEmail.Status.PENDING), Q(status=OutgoingEmail.Status.SENDING)


def _row(**fields):
    return OutgoingEmail.objects.create(purpose="tests.ping", recipients=["a@example.fr"], subject="S", body="B", **fields)


def _claim(row, now, **kwargs):
    claimable = leases.claimable(now, waiting=WAITING, working=WORKING)
    return leases.claim(
        OutgoingEmail.objects.filter(claimable, pk=row.pk), lease=LEASE, now=now, status=OutgoingEmail.Status.SENDING, **kwargs
    )


def test_a_row_is_claimed_once_until_its_workers_lease_expires():
    row, now = _row(), timezone.now()
    token = _claim(row, now)
    assert token == now + LEASE  # without a token of its own, the lease's end identifies the claim
    assert _claim(row, now + LEASE - timedelta(seconds=1)) is None  # a live worker holds it
    later = now + LEASE + timedelta(seconds=1)
    assert _claim(row, later) == later + LEASE  # its worker is presumed dead: taken over
    row.refresh_from_db()
    assert (row.status, row.attempts, row.claimed_until) == (OutgoingEmail.Status.SENDING, 2, later + LEASE)


def test_a_finished_row_is_never_claimed():
    row = _row(status=OutgoingEmail.Status.SENT)
    assert _claim(row, timezone.now() + timedelta(days=1)) is None


def test_a_lost_lease_is_not_renewed_and_a_released_row_is_free():
    row, now = _row(), timezone.now()
    token = _claim(row, now)
    held = OutgoingEmail.objects.filter(pk=row.pk, claimed_until=token)
    assert leases.renew(held, lease=LEASE)
    assert not leases.renew(held, lease=LEASE)  # renewed: the old token holds it no longer
    row.refresh_from_db()
    assert not leases.is_free(row)
    leases.release(OutgoingEmail.objects.filter(pk=row.pk))
    row.refresh_from_db()
    assert leases.is_free(row) and OutgoingEmail.objects.filter(leases.free(timezone.now()), pk=row.pk).exists()


def test_a_token_of_its_own_is_stored_and_returned():
    from tpj.downloads.models import ExportJob

    job = ExportJob.objects.create(kind="registry.csv", title="Annuaire", filename="a.csv", content_type="text/csv")
    token = uuid.uuid4()
    assert leases.claim(ExportJob.objects.filter(pk=job.pk), lease=LEASE, token=token) == token
    job.refresh_from_db()
    assert job.claim_token == token and job.attempts == 1


def test_requeued_rows_carry_a_queued_lease_dropped_when_the_queue_refuses(monkeypatch):
    rows = [_row(), _row()]
    ids = [row.pk for row in rows]
    queued = []
    monkeypatch.setattr(leases, "enqueue_quietly", lambda task, pk: queued.append(pk) or True)
    now = timezone.now()
    assert leases.requeue("task", ids, waiting=OutgoingEmail.objects.filter(WAITING), lease=LEASE, now=now) == 2
    assert queued == ids
    assert set(OutgoingEmail.objects.values_list("claimed_until", flat=True)) == {now + LEASE}

    monkeypatch.setattr(leases, "enqueue_quietly", lambda task, pk: False)  # the queue is down
    assert leases.requeue("task", ids, waiting=OutgoingEmail.objects.filter(WAITING), lease=LEASE, now=now) == 0
    assert set(OutgoingEmail.objects.values_list("claimed_until", flat=True)) == {None}  # the next recovery tries again
