"""How each write operation of the training API is raced (tests/reliability/test_races.py, on
PostgreSQL, eight requests at the same instant): what must hold once they are all answered."""

import datetime

from django.utils import timezone

from tests.factories import UserFactory, user_with_role
from tests.training.factories import OfferFactory, SessionFactory, TrainingOrganisationFactory, member_of, published_offer
from tpj.accounts.models import Role
from tpj.audit.models import AuditEvent

PARALLEL = 8
OFFERS = "/api/v1/training/my-offers/"


def _scenario(*args, **kwargs):
    from tests.reliability.test_races import Scenario

    return Scenario(*args, **kwargs)


def _once(statuses, expected=200, refused=(400, 409)):
    from tests.reliability.test_races import once

    once(statuses, expected, refused)


def _transitions(obj, state) -> int:
    from tests.reliability.test_races import transitions

    return transitions(obj, state)


def _events(obj, action) -> int:
    return AuditEvent.objects.for_object(obj).filter(action=action).count()


def _member_and_draft():
    organisation = TrainingOrganisationFactory()
    member = member_of(organisation)
    offer = OfferFactory(organisation=organisation)
    return member, offer


def _session_body(day=20):
    start = timezone.localdate() + datetime.timedelta(days=day)
    return {"debut": start.isoformat(), "fin": start.isoformat(), "commune": "35238", "places": 10}


def race_organisation_registration():
    """Eight people register the same SIRET at once: one organisation, the others a French 400."""
    from tpj.training.models import TrainingOrganisation

    body = {"nom": "Institut", "siret": "73282932000074", "numero_declaration_activite": "53350000035", "commune": "35238"}

    def check(statuses, bodies):
        _once(statuses, expected=201, refused=(400,))
        assert all("SIRET" in str(b) for s, b in zip(statuses, bodies, strict=True) if s == 400), bodies
        assert TrainingOrganisation.objects.filter(siret="73282932000074").count() == 1
        assert AuditEvent.objects.filter(action="training.organisation_registered").count() == 1

    return _scenario(None, [(UserFactory(), body) for _ in range(PARALLEL)], check)


def race_offer_creation():
    organisation = TrainingOrganisationFactory()
    member = member_of(organisation)
    body = {"organisme": organisation.pk, "intitule": "Éveil", "sessions": [_session_body()]}

    def check(statuses, _):
        assert set(statuses) == {201}, statuses
        assert organisation.offers.count() == PARALLEL
        assert AuditEvent.objects.filter(action="training.offer_created").count() == PARALLEL

    return _scenario(None, [(member, body)] * PARALLEL, check)


def race_offer_edit():
    from tpj.training.models import Audience

    member, offer = _member_and_draft()
    values = [Audience.values[i % len(Audience.values)] for i in range(PARALLEL)]

    def check(statuses, _):
        assert set(statuses) == {200}, statuses
        offer.refresh_from_db()
        assert offer.title in {f"Intitulé {v}" for v in values} and offer.audience_values == [offer.title.split()[-1]]
        assert _events(offer, "training.offer_saved") == PARALLEL

    return _scenario(offer.pk, [(member, {"intitule": f"Intitulé {v}", "publics": [v]}) for v in values], check)


def race_session_add():
    member, offer = _member_and_draft()

    def check(statuses, _):
        assert set(statuses) == {201}, statuses
        assert offer.sessions.count() == PARALLEL and _events(offer, "training.session_added") == PARALLEL

    return _scenario(offer.pk, [(member, _session_body(day=20 + i)) for i in range(PARALLEL)], check)


def _session_paths(offer, session):
    return [f"{OFFERS}{offer.pk}/sessions/{session.pk}/"] * PARALLEL


def race_session_edit():
    member, offer = _member_and_draft()
    session = SessionFactory(offer=offer)

    def check(statuses, _):
        assert set(statuses) == {200}, statuses
        session.refresh_from_db()
        assert session.capacity in range(10, 10 + PARALLEL) and session.seats_left == session.capacity

    requests = [(member, {"places": 10 + i, "places_restantes": 10 + i}) for i in range(PARALLEL)]
    return _scenario(offer.pk, requests, check, paths=_session_paths(offer, session))


def race_session_delete():
    from tpj.training.models import Session

    member, offer = _member_and_draft()
    session = SessionFactory(offer=offer)

    def check(statuses, _):
        _once(statuses, expected=204, refused=(400, 404))
        assert not Session.objects.filter(pk=session.pk).exists()
        assert _events(offer, "training.session_deleted") == 1

    return _scenario(offer.pk, [(member, None)] * PARALLEL, check, paths=_session_paths(offer, session))


def race_submission():
    member, offer = _member_and_draft()
    SessionFactory(offer=offer)

    def check(statuses, _):
        _once(statuses)
        assert _transitions(offer, "submitted") == 1

    return _scenario(offer.pk, [(member, {})] * PARALLEL, check)


def race_withdrawal():
    organisation = TrainingOrganisationFactory()
    member = member_of(organisation)
    offer = published_offer(organisation=organisation)

    def check(statuses, _):
        _once(statuses)
        assert _transitions(offer, "draft") == 1

    return _scenario(offer.pk, [(member, {})] * PARALLEL, check)


def race_moderation(state, body):
    """The région's commissaire and the national team decide the same submitted offer at once."""

    def scenario():
        from tpj.training.services.offers import submit

        member, offer = _member_and_draft()
        SessionFactory(offer=offer)
        submit(offer, member)
        moderators = [user_with_role(Role.COMMISSAIRE, region="53"), user_with_role(Role.NATIONAL_TEAM)]

        def check(statuses, _):
            _once(statuses)
            assert _transitions(offer, state) == 1

        return _scenario(offer.pk, [(moderators[i % 2], body) for i in range(PARALLEL)], check)

    return scenario


def race_plan_creation():
    from tpj.training.models import TrainingPlan

    owner = UserFactory()

    def check(statuses, _):
        assert set(statuses) == {201}, statuses
        assert TrainingPlan.objects.filter(owner=owner).count() == PARALLEL

    return _scenario(None, [(owner, {"nom": f"Plan {i}"}) for i in range(PARALLEL)], check)


def _plan():
    from tpj.training.models import TrainingPlan

    owner = UserFactory()
    return owner, TrainingPlan.objects.create(owner=owner, name="Équipe")


def race_plan_rename():
    owner, plan = _plan()

    def check(statuses, _):
        assert set(statuses) == {200}, statuses
        plan.refresh_from_db()
        assert plan.name in {f"Équipe {i}" for i in range(PARALLEL)}

    return _scenario(plan.pk, [(owner, {"nom": f"Équipe {i}"}) for i in range(PARALLEL)], check)


def race_plan_deletion():
    from tpj.training.models import TrainingPlan

    owner, plan = _plan()

    def check(statuses, _):
        _once(statuses, expected=204, refused=(400, 404))
        assert not TrainingPlan.objects.filter(pk=plan.pk).exists()
        assert AuditEvent.objects.filter(action="training.plan.delete").count() == 1

    return _scenario(plan.pk, [(owner, None)] * PARALLEL, check)


def race_plan_addition():
    from tpj.training.models import PlanItem

    owner, plan = _plan()
    offer = published_offer()

    def check(statuses, _):
        assert statuses.count(201) == 1 and set(statuses) <= {200, 201}, statuses
        assert PlanItem.objects.filter(plan=plan).count() == 1 and _events(plan, "training.plan.add") == 1

    return _scenario(plan.pk, [(owner, {"offre": offer.pk, "note": f"Note {i}"}) for i in range(PARALLEL)], check)


def _item():
    from tpj.training.models import PlanItem

    owner, plan = _plan()
    item = PlanItem.objects.create(plan=plan, offer=published_offer())
    return owner, plan, item, [f"/api/v1/training/plans/{plan.pk}/items/{item.pk}/"] * PARALLEL


def race_plan_item_edit():
    owner, plan, item, paths = _item()

    def check(statuses, _):
        assert set(statuses) == {200}, statuses
        item.refresh_from_db()
        assert item.note in {f"Note {i}" for i in range(PARALLEL)}

    return _scenario(plan.pk, [(owner, {"note": f"Note {i}"}) for i in range(PARALLEL)], check, paths=paths)


def race_plan_item_removal():
    from tpj.training.models import PlanItem

    owner, plan, item, paths = _item()

    def check(statuses, _):
        _once(statuses, expected=204, refused=(400, 404))
        assert not PlanItem.objects.filter(pk=item.pk).exists() and _events(plan, "training.plan.remove") == 1

    return _scenario(plan.pk, [(owner, None)] * PARALLEL, check, paths=paths)


def race_report():
    from tpj.training.models import SessionReport

    member, offer = _member_and_draft()
    start = timezone.localdate() - datetime.timedelta(days=10)
    session = SessionFactory(offer=offer, start_date=start, end_date=start, capacity=20, seats_left=0)
    body = {"heures": "7", "lignes": [{"public": "eaje", "departement": "35", "participants": 5}]}

    def check(statuses, _):
        assert statuses.count(201) == 1 and set(statuses) <= {200, 201}, statuses
        report = SessionReport.objects.get(session=session)
        assert report.lines.count() == 1

    return _scenario(session.pk, [(member, body)] * PARALLEL, check)


TRAINING_RACES = {
    "training_organisations_create": race_organisation_registration,
    "training_my_offers_create": race_offer_creation,
    "training_my_offers_partial_update": race_offer_edit,
    "training_my_offers_sessions_create": race_session_add,
    "training_my_offers_sessions_partial_update": race_session_edit,
    "training_my_offers_sessions_destroy": race_session_delete,
    "training_my_offers_submit_create": race_submission,
    "training_my_offers_withdraw_create": race_withdrawal,
    "training_moderation_verify_create": race_moderation("published", {}),
    "training_moderation_request_changes_create": race_moderation("changes_requested", {"motif": "Précisez."}),
    "training_moderation_reject_create": race_moderation("rejected", {"motif": "Hors du plan."}),
    "training_plans_create": race_plan_creation,
    "training_plans_partial_update": race_plan_rename,
    "training_plans_destroy": race_plan_deletion,
    "training_plans_items_create": race_plan_addition,
    "training_plans_items_partial_update": race_plan_item_edit,
    "training_plans_items_destroy": race_plan_item_removal,
    "training_reports_update": race_report,
}
