"""Objects inside and outside the cast's territory, for the permission matrix and leak checks.

"Inside" objects are in Ille-et-Vilaine / Bretagne and belong to the cast (the professional
is a member of the entry, the applicant carries the application, the jury member sits on
the call's jury, the professional is a member of the training organisation). "Outside" objects are in Haute-Garonne / Occitanie, belong to a stranger
and carry a unique CANARY string in their names: no scoped role may ever see it, in any
page, list, count, export, search result, map aggregate or error message.
"""

import datetime
import uuid
from decimal import Decimal
from unittest import mock

from tests.factories import OrganisationFactory, user_with_role
from tpj.accounts.models import Role

from .roles import (
    APPLICANT,
    CALL_MANAGER,
    IN_COMMUNE,
    IN_REGION,
    JURY_MEMBER,
    OUT_COMMUNE,
    OUT_DEPARTEMENT,
    OUT_REGION,
    PROFESSIONAL,
    Cast,
)


class World:
    def __init__(self, cast: Cast):
        self.cast = cast
        self.canary = f"CANARI{uuid.uuid4().hex[:10].upper()}"
        self.objects = {}
        self.stranger_org = OrganisationFactory(name=f"Association {self.canary}", commune_id=OUT_COMMUNE, region_id=OUT_REGION)
        self.stranger = user_with_role(
            Role.APPLICANT,
            region=OUT_REGION,
            organisation=self.stranger_org,
            email=f"{self.canary.lower()}@etranger.example",
            last_name=self.canary,
        )
        self.stranger_manager = user_with_role(
            Role.CALL_MANAGER,
            region=OUT_REGION,
            email="referent-occitanie@etranger.example",
            organisation=OrganisationFactory(ars=True, name="ARS Occitanie (test)", commune_id=OUT_COMMUNE, region_id=OUT_REGION),
        )
        for build in (_registry, _messages, _calls, _valorisation, _answers, _follow_up, _training):
            build(self)

    def __getitem__(self, key):
        return self.objects[key]


def _registry(world: World):
    from django.core.files.base import ContentFile

    from tests.registry.factories import EntryFactory, verified_entry
    from tpj.registry.models import EntrySituation, ImportJob, State
    from tpj.registry.services.review import confirmation_token
    from tpj.territories.models import Commune

    professional = world.cast.user(PROFESSIONAL)
    inside = EntryFactory(name="Crèche des Lutins de Rennes", state=State.SUBMITTED, setup__members=[professional])
    outside = EntryFactory(
        name=f"Crèche {world.canary}",
        commune=Commune.objects.get(insee_code=OUT_COMMUNE),
        postal_code="31000",
        state=State.SUBMITTED,
        setup__members=[world.stranger],
    )
    for entry in (inside, outside):
        situation = EntrySituation.objects.filter(entry=entry).first()
        situation.evidence.save("justificatif.pdf", ContentFile(b"%PDF-1.4 justificatif"), save=False)
        situation.evidence_content_type, situation.evidence_name = "application/pdf", "justificatif.pdf"
        situation.save()
    world.objects.update(
        # a file prepared for the professional (« Mes téléchargements »), and one for a stranger
        export_job=_export_job(professional),
        export_job_out=_export_job(world.stranger),
        entry_in=inside,
        entry_out=outside,
        entry_verified_in=verified_entry(name="Relais petite enfance de Rennes", setup__members=[professional]),
        # the yearly review e-mail's one-click link, as sent to the professional for their entry
        review_token_in=confirmation_token(inside, professional),
        evidence_in=EntrySituation.objects.filter(entry=inside).first(),
        evidence_out=EntrySituation.objects.filter(entry=outside).first(),
        import_job=ImportJob.objects.create(
            source="Réseau test", file="registry/imports/test.csv", created_by=world.cast.user("moderator")
        ),
        # another territory's moderator's import: its report is its author's alone
        import_job_out=ImportJob.objects.create(
            source=f"Réseau {world.canary}",
            file="registry/imports/test.csv",
            created_by=user_with_role(Role.MODERATOR, departements=[OUT_DEPARTEMENT], email="moderateur@etranger.example"),
        ),
    )
    _claims(world)
    _notifications(world)


def _notifications(world: World):
    """A notification of the cast's professional (inside) and one of the stranger (outside):
    each opens only for its recipient."""
    from tpj.notifications.models import Notification

    for key, recipient in (("notification_in", world.cast.user(PROFESSIONAL)), ("notification_out", world.stranger)):
        world.objects[key] = Notification.objects.create(
            recipient=recipient, kind="registry.verify", title="Votre fiche est vérifiée", url="/annuaire/", delivery="platform"
        )


def _messages(world: World):
    """A message with a file on each entry's messaging: by the cast's moderator inside, by the
    stranger (a member) outside."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tpj.conversations import services

    for key, author, entry in (
        ("message_attachment_in", world.cast.user("moderator"), world["entry_in"]),
        ("message_attachment_out", world.stranger, world["entry_out"]),
    ):
        upload = SimpleUploadedFile("piece.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        message = services.post(author, "registry.entry", entry, "Le justificatif est-il à jour ?", [upload])
        world.objects[key] = message.attachments.get()


def _export_job(user):
    import datetime

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from tpj.downloads.models import ExportJob

    job = ExportJob.objects.create(
        requested_by=user,
        kind="registry.csv",
        title="Annuaire : fiches vérifiées (CSV) — annuaire complet",
        filename="annuaire-1000-premiers-jours.csv",
        content_type="text/csv; charset=utf-8",
        format_label="CSV",
        status=ExportJob.Status.READY,
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    job.file.save("annuaire-1000-premiers-jours.csv", ContentFile(b"id;nom\r\n"), save=True)
    return job


def _calls(world: World):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.calls.factories import CampaignFactory, content, make_call
    from tpj.calls.models import Attachment, Call, JuryMember, ScoreSheet
    from tpj.calls.services.applications import create_application, submit_application
    from tpj.calls.services.jury import add_jury_member

    campaign = CampaignFactory()
    manager = world.cast.user(CALL_MANAGER)
    call_in = make_call(strand="ars", region=IN_REGION, campaign=campaign, by=manager)
    call_out = make_call(strand="ars", region=OUT_REGION, campaign=campaign, by=world.stranger_manager)
    call_out_draft = make_call(strand="dreets", region=OUT_REGION, campaign=campaign, state=Call.State.DRAFT)
    add_jury_member(call_in, manager, world.cast.user(JURY_MEMBER), "funder")
    app_in, _ = create_application(world.cast.user(APPLICANT), call_in, content(call_in, title="Ateliers de Rennes"))
    app_out, _ = create_application(world.stranger, call_out, content(call_out, title=f"Projet {world.canary}"))
    app_out = submit_application(app_out, world.stranger)
    # A submitted application of the cast's région (carried by another structure), for the
    # instruction actions: the call's managers cannot see a draft.
    carrier_in = user_with_role(
        Role.APPLICANT,
        region=IN_REGION,
        email="porteur-soumis@fiabilite.example",
        organisation=OrganisationFactory(name="Association rennaise des familles", commune_id=IN_COMMUNE, region_id=IN_REGION),
    )
    app_submitted_in, _ = create_application(carrier_in, call_in, content(call_in, title="Relais des familles de Rennes"))
    app_submitted_in = submit_application(app_submitted_in, carrier_in)
    pdf = SimpleUploadedFile("piece.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    world.objects.update(
        campaign=campaign,
        call_in=call_in,
        call_out=call_out,
        call_out_draft=call_out_draft,
        application_in=app_in,
        application_out=app_out,
        application_submitted_in=app_submitted_in,
        attachment_in=Attachment.objects.create(
            application=app_in, label="Budget", file=pdf, uploaded_by=world.cast.user(APPLICANT)
        ),
        attachment_out=Attachment.objects.create(
            application=app_out, label=f"Budget {world.canary}", file=pdf, uploaded_by=world.stranger
        ),
    )
    jury_seat = JuryMember.objects.get(call=call_in, user=world.cast.user(JURY_MEMBER))
    world.objects["sheet_in"] = ScoreSheet.objects.create(member=jury_seat, application=app_in)


def _valorisation(world: World):
    from tests.valorisation.factories import DeploymentFactory, measure
    from tpj.valorisation.models import Apportionment, BirthsTable

    national = world.cast.user("national_team")
    world.objects.update(
        laureate_in=_laureate(IN_REGION, "Ateliers parents-bébés de Rennes", transmitted=True),
        # (the factory copies the title into a public call axis label: the canary goes in the description)
        laureate_out_untransmitted=_laureate(
            OUT_REGION,
            "Projet non transmis",
            transmitted=False,
            place=OUT_COMMUNE,
            description=f"Description confidentielle {world.canary}",
        ),
        measure=measure("unites-parents-bebe"),
        deployment_in=DeploymentFactory(region_id=IN_REGION),
    )
    world.objects["births"] = BirthsTable.objects.create(year=2020, source="Test", imported_by=national)
    world.objects["apportionment"] = Apportionment.objects.create(
        measure=measure("renfort-staffs-maternites") if _has_measure("renfort-staffs-maternites") else world["measure"],
        births_table=world["births"],
        total=100,
        created_by=national,
    )


def _answers(world: World):
    """A file given for a required document: on the cast's draft application (inside) and on the
    stranger's submitted application (outside, the canary in its file name)."""
    from django.core.files.base import ContentFile

    from tpj.calls.models import ApplicationAnswer, RequiredDocument

    for key, app, name in (
        ("answer_file_in", world["application_in"], "statuts.pdf"),
        ("answer_file_out", world["application_out"], f"statuts-{world.canary}.pdf"),
    ):
        document = RequiredDocument.objects.create(call=app.call, label="Statuts de la structure", required=False)
        answer = ApplicationAnswer(application=app, document=document, file_name=name, uploaded_by=app.created_by)
        answer.file.save("statuts.pdf", ContentFile(b"%PDF-1.4 statuts"), save=True)
        world.objects[key] = answer


def _follow_up(world: World):
    """A laureate's follow-up: its convention as issued and its interim report received.
    Inside: a laureate of a Bretagne ARS call (managed by the cast's call manager) carried by the
    cast's structure; outside: the Occitanie laureate of _valorisation (the canary in its files)."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from tpj.calls.models import Convention, Report, ReportKind

    inside = _laureate(IN_REGION, "Relais parents de Rennes", transmitted=False)
    inside.organisation = world.cast.user(APPLICANT).organisation
    inside.save(update_fields=["organisation"])
    outside = world["laureate_out_untransmitted"]
    world.objects.update(laureate_follow_in=inside, laureate_follow_out=outside)
    today = timezone.localdate()
    for where, app, text in (("in", inside, "Rennes"), ("out", outside, world.canary)):
        convention = Convention(
            application=app,
            decided_at=app.decided_at,
            state=Convention.State.ISSUED,
            signature_deadline=today + datetime.timedelta(days=30),
            issued_at=timezone.now(),
        )
        convention.file.save("convention.pdf", ContentFile(f"%PDF-1.4 convention {text}".encode()), save=True)
        report = Report(application=app, kind=ReportKind.INTERIM, received_on=today, comment=f"Rapport {text}")
        report.file.save("rapport.pdf", ContentFile(f"%PDF-1.4 rapport {text}".encode()), save=True)
        world.objects[f"convention_{where}"] = convention
        world.objects[f"report_{where}"] = report


def _has_measure(slug):
    from tpj.valorisation.models import Measure

    return Measure.objects.filter(slug=slug).exists()


def _laureate(region, title, *, transmitted, place=IN_COMMUNE, **kwargs):
    from tests.valorisation.factories import laureate

    year = datetime.date.today().year - 1
    return laureate(
        region, title=title, transmitted=transmitted, places=(place,), allocated=Decimal("60000"), year=year, **kwargs
    )


def _claims(world: World):
    """Claims and invitations (issue 17 §5). Inside: a published entry nobody manages in the
    cast's territory, claimed by someone of that territory, and an invitation to the
    professional's entry. Outside: a published entry the stranger manages (nobody here may
    claim it; no canary in its name, the directory shows it by design) and the stranger's
    claim of their own submitted entry, written as it stands."""
    from tests.factories import UserFactory
    from tests.registry.factories import verified_entry
    from tpj.registry.models import ClaimState, EntryClaim, MatchedOn
    from tpj.registry.services import claims, invitations
    from tpj.territories.models import Commune

    claimable_in = verified_entry(name="Crèche importée de Rennes")
    managed_out = verified_entry(
        name="Crèche gérée de Toulouse", commune=Commune.objects.get(insee_code=OUT_COMMUNE), postal_code="31000"
    )
    managed_out.members.add(world.stranger)
    claimant = UserFactory(email="demandeur@fiabilite.example", last_name="Demandeur")
    # The link's token is known only to the e-mail (whose body is erased once sent): fix it here.
    token = "jeton-d-invitation-de-la-matrice-de-fiabilite"
    with mock.patch("tpj.registry.services.invitations.secrets.token_urlsafe", return_value=token):
        invitations.invite(world["entry_verified_in"], "invitee@fiabilite.example", world.cast.user(PROFESSIONAL))
    world.objects.update(
        claimable_in=claimable_in,
        claimable_out=managed_out,
        claim_in=claims.submit_claim(claimable_in, claimant, "Je dirige cette crèche."),
        claim_out=EntryClaim.objects.create(
            entry=world["entry_out"], claimant=world.stranger, matched_on=MatchedOn.NONE, state=ClaimState.PENDING
        ),
        invitation_token_in=token,
    )


def _training(world: World):
    """Training organisations. Inside: one in Rennes (Bretagne, moderated by the cast's
    commissaire), the professional a member, with a published offer and a submitted one.
    Outside: one in Toulouse (Occitanie), the stranger a member, with a submitted offer
    whose title carries the canary (only its members and moderators may see it)."""
    from tests.training.factories import OfferFactory, SessionFactory, TrainingOrganisationFactory, published_offer
    from tpj.territories.models import Commune
    from tpj.training.models import OfferState, PlanItem, TrainingPlan

    inside = TrainingOrganisationFactory(name="Institut de formation de Rennes", members=[world.cast.user(PROFESSIONAL)])
    outside = TrainingOrganisationFactory(
        name="Organisme de formation de Toulouse",
        commune=Commune.objects.get(insee_code=OUT_COMMUNE),
        activity_number="76310000031",
        members=[world.stranger],
    )
    world.objects.update(
        training_organisation_in=inside,
        training_organisation_out=outside,
        offer_published_in=published_offer(organisation=inside, title="Favoriser l'éveil au langage à Rennes"),
        offer_submitted_in=OfferFactory(organisation=inside, title="La coéducation au quotidien", state=OfferState.SUBMITTED),
        # a draft the professional's organisation is writing (the API's writes reach its data)
        offer_draft_in=OfferFactory(organisation=inside, title="Accueillir les parents (brouillon)"),
        offer_submitted_out=OfferFactory(organisation=outside, title=f"Formation {world.canary}", state=OfferState.SUBMITTED),
    )
    # A team's plan of the professional (inside) and of the stranger (outside), each with an
    # offer; a session each organisation ended a week ago, its bilan to declare.
    today = datetime.date.today()
    ended = {"start_date": today - datetime.timedelta(days=9), "end_date": today - datetime.timedelta(days=7)}
    offer = world.objects["offer_published_in"]
    for side, owner in (("in", world.cast.user(PROFESSIONAL)), ("out", world.stranger)):
        plan = TrainingPlan.objects.create(owner=owner, name=f"Plan de l'équipe {world.canary if side == 'out' else ''}")
        world.objects[f"plan_item_{side}"] = PlanItem.objects.create(plan=plan, offer=offer)
        world.objects[f"plan_{side}"] = plan
    world.objects["session_ended_in"] = SessionFactory(offer=offer, **ended)
    world.objects["session_draft_in"] = SessionFactory(offer=world.objects["offer_draft_in"])
    world.objects["session_ended_out"] = SessionFactory(
        offer=world.objects["offer_submitted_out"], commune=Commune.objects.get(insee_code=OUT_COMMUNE), **ended
    )
