"""Demo data of the worker tier (issue 15): each state of the background work shows somewhere.

- Imports of moderateur.bretagne@: one finished yesterday (a few rows refused, one of them
  outside Bretagne), one stopped after its first chunk — the workers' recovery resumes it
  within a minute once `run_huey` runs, which the progress page then shows.
- « Mes téléchargements » of national@: a file of the Bretagne entries built through the
  builder service (a real file with its size and SHA-256), and a call's history waiting
  for a worker.
- The yearly review: pro@'s entry asked to confirm its accuracy (« Je confirme » on its page,
  the e-mail's link), and an entry of the Trégor whose member did not answer, proposed for
  suspension in moderateur.bretagne@'s review queue.
- The 2021 Bretagne call's decision letters: porteur@'s issued (drawn by the worker's
  service), the others in preparation until a worker draws them.

Everything goes through the services (the audit log holds each step); only dates with no
service to set them are moved back by an update, as the calls demo does. Idempotent: each
piece is skipped when it exists already.
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.utils import timezone

from tpj.calls.models import Call, DecisionLetter
from tpj.calls.services.letters import issue_letter
from tpj.downloads import builders
from tpj.downloads import services as downloads
from tpj.downloads.models import ExportJob
from tpj.registry import importer
from tpj.registry.models import Entry, ImportJob, ReviewState
from tpj.registry.services import review
from tpj.registry.services.members import add_member
from tpj.territories.models import Commune

from .services import DemoAccount, _account

MODERATOR = "moderateur.bretagne@demo.1000jours.fr"
NATIONAL = "national@demo.1000jours.fr"
PRO = "pro@demo.1000jours.fr"
# The member of the Trégor entry who did not answer the yearly review (not a login of the tour).
TREGOR_MEMBER = DemoAccount("maison.parents.tregor@demo.1000jours.fr", "Gwenaëlle", "Le Bihan", "", None)
TREGOR_ENTRY = "bzh-maison-parents-lannion"
PRO_ENTRY = "pro-sage-femme"

FINISHED_SOURCE = "CAF d'Ille-et-Vilaine — relais petite enfance"
RUNNING_SOURCE = "CAF d'Ille-et-Vilaine — lieux d'accueil enfants-parents"
RUNNING_ROWS, RUNNING_CHUNK = 12, 4

HEADER = (
    "identifiant;nom;type;categorie;adresse;code_postal;commune;priorites;description;situation;organisme;"
    "type_organisme;type_reference;reference;email;telephone;contacts_publics"
)
# The finished import's rows: four relais, one without a name, one in Nantes (outside Bretagne).
FINISHED_ROWS = [
    "RPE-35-001;Relais Petite Enfance de Cesson-Sévigné;etablissement;rpe;1 rue de Rennes;35510;35051;8|9;"
    "Matinées d'éveil et information des parents;2;CAF d'Ille-et-Vilaine;securite_sociale;convention;RPE-35-2024-01;;;non",
    "RPE-35-002;Relais Petite Enfance de Fougères;etablissement;rpe;;35300;35115;8;"
    "Permanences et ateliers;2;CAF d'Ille-et-Vilaine;securite_sociale;convention;RPE-35-2024-02;;;non",
    "RPE-35-003;;etablissement;rpe;;35400;35288;8;;2;CAF d'Ille-et-Vilaine;securite_sociale;convention;RPE-35-2024-03;;;non",
    "RPE-35-004;Relais Petite Enfance de Vitré Communauté;etablissement;rpe;;35500;35360;8|9;"
    "Ateliers d'éveil itinérants;2;CAF d'Ille-et-Vilaine;securite_sociale;convention;RPE-35-2024-04;;;non",
    "RPE-44-005;Relais Petite Enfance de Nantes Nord;etablissement;rpe;;44300;44109;8;"
    ";2;CAF de Loire-Atlantique;securite_sociale;convention;RPE-44-2024-05;;;non",
    "RPE-35-006;Relais Petite Enfance de Redon;etablissement;rpe;;35600;35236;8;"
    "Accueil des assistantes maternelles;2;CAF d'Ille-et-Vilaine;securite_sociale;convention;RPE-35-2024-06;;;non",
]
LAEP_ROW = (
    "LAEP-35-{n:03d};Lieu d'accueil enfants-parents de {name};etablissement;laep;;{postal};{insee};4|10;"
    "Accueil libre et anonyme des enfants de moins de 6 ans et de leurs parents;2;CAF d'Ille-et-Vilaine;"
    "securite_sociale;convention;LAEP-35-{n:03d};;;non"
)


def load(accounts: dict) -> None:
    """Create the worker tier's demo states (safe to run twice)."""
    moderator, national, pro = accounts.get(MODERATOR), accounts.get(NATIONAL), accounts.get(PRO)
    if moderator:
        _imports(moderator)
    if national:
        _downloads(national)
    _review(pro)
    _letters()


# --- imports --------------------------------------------------------------------------------


def _upload(name: str, rows: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "\n".join([HEADER, *rows]).encode(), content_type="text/csv")


def _imports(moderator) -> None:
    now = timezone.now()
    if not ImportJob.objects.filter(source=FINISHED_SOURCE).exists():
        job = importer.create_job(FINISHED_SOURCE, _upload("relais-petite-enfance-35.csv", FINISHED_ROWS), moderator)
        importer.work(job.pk)  # what the worker does: claim, then write chunk by chunk to the end
        started = now - datetime.timedelta(days=1, hours=2)
        ImportJob.objects.filter(pk=job.pk).update(created_at=started, finished_at=started + datetime.timedelta(seconds=4))
    if not ImportJob.objects.filter(source=RUNNING_SOURCE).exists():
        communes = Commune.objects.filter(departement_id="35").exclude(postal_codes="").order_by("-population", "insee_code")
        rows = [
            LAEP_ROW.format(n=n, name=c.name, postal=c.postal_codes.split()[0], insee=c.insee_code)
            for n, c in enumerate(communes[:RUNNING_ROWS], start=1)
        ]
        job = importer.create_job(RUNNING_SOURCE, _upload("laep-35.csv", rows), moderator, chunk_size=RUNNING_CHUNK)
        token = importer.claim(job.pk)
        # Its worker stopped after the first chunk: the claim is given back and the job stays
        # « en cours »; `recover_imports` queues it again, and a worker finishes it.
        importer.run(ImportJob.objects.select_related("created_by").get(pk=job.pk), token, max_chunks=1)
        ImportJob.objects.filter(pk=job.pk).update(created_at=now - datetime.timedelta(minutes=3))


# --- prepared downloads ---------------------------------------------------------------------


def _downloads(national) -> None:
    if not ExportJob.objects.filter(requested_by=national, kind="registry.csv").exists():
        parameters = builders.get("registry.csv").parse(QueryDict("region=53"), national)
        job, _ = downloads.request_export(national, "registry.csv", parameters)
        downloads.build(job.pk)  # the worker's build, here: a real file in the storage
    call = Call.objects.filter(campaign__year=2021, region_id="53").first()
    if call and not ExportJob.objects.filter(requested_by=national, kind="calls.history").exists():
        downloads.request_export(national, "calls.history", {"call": call.pk})  # waits for a worker


# --- the yearly review ----------------------------------------------------------------------


def _never_reviewed(key: str) -> Entry | None:
    """The demo entry `key` if its yearly review never started (it is not asked twice)."""
    return Entry.objects.filter(
        import_source="demo", external_id=key, review_state=ReviewState.CURRENT, reviewed_at__isnull=True
    ).first()


def _review(pro) -> None:
    now = timezone.now()
    a_year_ago = now - datetime.timedelta(days=review.interval_days() + 30)
    pro_entry = _never_reviewed(PRO_ENTRY) if pro else None
    tregor = _never_reviewed(TREGOR_ENTRY)
    if tregor is not None:
        member = _account(TREGOR_MEMBER)
        if not tregor.members.filter(pk=member.pk).exists():
            add_member(tregor, member.email, None)
    due = [entry.pk for entry in (pro_entry, tregor) if entry is not None]
    if not due:
        return
    # Verified more than a year ago: the scheduled review asks their members today.
    Entry.objects.filter(pk__in=due).update(verified_at=a_year_ago)
    review.request_confirmations()
    if tregor is not None:
        # Asked (the demo says) longer ago than the answer period, without an answer.
        asked = now - datetime.timedelta(days=review.answer_days() + 9)
        Entry.objects.filter(pk=tregor.pk, review_state=ReviewState.REQUESTED).update(review_requested_at=asked)
        review.propose_suspensions()


# --- decision letters -----------------------------------------------------------------------


def _letters() -> None:
    """porteur@'s letter of the 2021 Bretagne call issued; the call's other letters wait."""
    letters = DecisionLetter.objects.filter(application__call__campaign__year=2021, application__call__region_id="53")
    if letters.filter(state=DecisionLetter.State.ISSUED).exists():
        return
    first = (
        letters.filter(state=DecisionLetter.State.REQUESTED, application__created_by__email="porteur@demo.1000jours.fr")
        .order_by("pk")
        .first()
    )
    if first is not None:
        issue_letter(first.pk)  # the worker's task: drawn, stored with its SHA-256, e-mailed through the outbox
