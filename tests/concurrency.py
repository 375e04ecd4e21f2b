"""Tests of real concurrent transactions: they need PostgreSQL (SQLite serialises writers)."""

import pytest
from django.conf import settings

ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]

# The marks of a module whose tests race requests or workers against each other: run on
# PostgreSQL only, each in committed transactions that the other threads can see.
CONCURRENT_ON_POSTGRES = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (row locks and real concurrent transactions)"),
    pytest.mark.django_db(transaction=True),
]
