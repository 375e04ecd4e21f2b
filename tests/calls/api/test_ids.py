import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["/api/v1/calls/null/", "/api/v1/calls/abc/ranking/", "/api/v1/applications/x%C3%A9/", "/api/v1/applications/1e3/submit/"],
)
def test_non_numeric_ids_are_a_json_404_not_a_server_error(api_client, path):
    response = api_client.get(path) if not path.endswith("submit/") else api_client.post(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
