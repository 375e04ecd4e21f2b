"""Every Module 3 page answers (no 500) for the people who may see it, and the landing page links them all."""

import pytest
from django.urls import reverse

from tests.calls.factories import make_call, manager
from tests.factories import user_with_role
from tpj.accounts.models import Role
from tpj.valorisation import services

from .factories import BIRTHS, DeploymentFactory, laureate

pytestmark = pytest.mark.django_db


def test_every_page_renders(client):
    project = laureate("53")
    call = make_call("ars", region="76")
    DeploymentFactory()
    national = user_with_role(Role.NATIONAL_TEAM)
    table = services.import_births(user=national, year=2020, source="test", births=BIRTHS)
    apportionment = services.apportion(user=national, table=table, total=100)
    public = [
        reverse("valorisation:index"),
        reverse("valorisation:projects"),
        reverse("valorisation:project", args=[project.pk]),
        reverse("valorisation:priorities"),
        reverse("valorisation:priority", args=[1]),
        reverse("valorisation:measures"),
        reverse("valorisation:measure", args=["staffs-medico-psycho-sociaux"]),
        reverse("valorisation:apportionments"),
        reverse("valorisation:births", args=[table.pk]),
        reverse("valorisation:apportionment", args=[apportionment.pk]),
        reverse("valorisation:opendata"),
        reverse("valorisation:deployments-all-csv"),
    ]
    restricted = [
        reverse("valorisation:dashboard"),
        reverse("valorisation:library"),
        reverse("valorisation:library-call", args=[call.pk]),
    ]
    for url in public:
        assert client.get(url).status_code == 200, url
    for url in restricted:
        assert client.get(url).status_code == 302, url
    for user in (national, manager("DREETS", "53")):
        client.force_login(user)
        for url in public + restricted:
            assert client.get(url).status_code == 200, url
    page = client.get(reverse("valorisation:index")).content.decode()
    for name in ("projects", "priorities", "dashboard", "library", "measures", "apportionments", "opendata"):
        assert reverse(f"valorisation:{name}") in page, name
