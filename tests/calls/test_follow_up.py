"""Follow-up of a laureate project: start, indicator values, final evaluation."""

from decimal import Decimal

import pytest
from django.utils import timezone

from tpj.calls.services.decisions import decide
from tpj.calls.services.follow_up import add_indicator_value, record_evaluation, record_start
from tpj.core.policy import PermissionDenied

from .factories import decidable

pytestmark = pytest.mark.django_db


def test_follow_up_of_a_laureate():
    call, apps = decidable()
    app = decide(apps[0], call.manager, "laureate", "Excellent", {"ARS": Decimal("60000")})
    record_start(app, app.created_by, timezone.localdate())
    indicator = app.indicators.get()
    add_indicator_value(indicator, app.created_by, timezone.localdate(), "35", "Premier trimestre")
    record_evaluation(app, call.manager, "Répond aux enjeux ; pérennisation envisagée.", True)
    app.refresh_from_db()
    assert app.project_started_on and indicator.values.count() == 1 and app.could_become_permanent
    with pytest.raises(PermissionDenied):
        record_start(apps[1], apps[1].created_by, timezone.localdate())
