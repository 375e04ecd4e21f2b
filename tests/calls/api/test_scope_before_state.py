import pytest

from tests.calls.factories import make_call, manager, submitted_application
from tpj.calls.models import Application

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("action", ["declare-eligible", "declare-ineligible", "request-info", "submit"])
def test_a_manager_of_another_region_gets_403_without_learning_the_state(api_client, action):
    app = submitted_application(make_call(region="53"))
    api_client.force_authenticate(manager(region="76"))
    response = api_client.post(f"/api/v1/applications/{app.pk}/{action}/", {"reason": "motif"}, format="json")
    assert response.status_code == 403
    assert "état" not in str(response.json())
    app.refresh_from_db()
    assert app.state == Application.State.SUBMITTED
