"""The demo exchanges: written once, coherent with the demo data, an internal note each."""

import pytest
from django.test import override_settings

from tpj.conversations import demo
from tpj.conversations.models import Message, Thread
from tpj.demo import services
from tpj.demo.services import load_demo

pytestmark = pytest.mark.django_db


@override_settings(DEMO_MODE=True)
def test_the_demo_adds_two_exchanges_on_applications_and_one_on_an_entry(monkeypatch):
    # The modules the exchanges build on (valorisation's measures are not needed here).
    monkeypatch.setattr(
        services, "MODULE_LOADERS", ["tpj.registry.demo.load", "tpj.calls.demo.load", "tpj.conversations.demo.load"]
    )
    load_demo()
    assert Message.objects.count() == 7
    assert sorted(Thread.objects.values_list("kind", flat=True)) == ["calls.application", "calls.application", "registry.entry"]
    answered, waiting = (t for t in Thread.objects.order_by("pk") if t.kind == "calls.application")
    for thread in (answered, Thread.objects.get(kind="registry.entry")):
        assert [m.internal for m in thread.messages.all()] == [False, True, False]
        assert [m.side for m in thread.messages.all()] == ["staff", "staff", "holder"]
    # the laureate's question waits for its applicant's answer
    assert [(m.side, m.internal) for m in waiting.messages.all()] == [("staff", False)]
    assert demo.load() == 0 and Message.objects.count() == 7
