"""The accessibility and French gate (issue 14): every page a visitor can reach, for every
demo role, at desktop and mobile width, in a real Chromium.

With the demo data loaded (`tpj.demo.services.load_demo`), each visitor (anonymous and one
demo account per role) crawls the site from the home page and "Mon espace", following the
same-origin links three levels deep; every GET route of the URL configuration is added
with its ids taken from the demo data, so that a new page is covered without anyone listing
it here. Each HTML page is then checked at 1280×900 and at 375×812:

- axe-core, WCAG 2.1 A and AA rules: any serious or critical violation fails;
- no horizontal overflow (`scrollWidth > innerWidth`);
- `<html lang="fr">`;
- French only: no raw code a workflow or a model declares (states, roles, audit actions,
  `app.Model.field` names, settings names) and no common English UI word in the visible
  text or in the labels a screen reader reads (aria-label, title, alt, placeholder),
  outside elements marked `lang="en"` (or another language) and `<code>`.

The report (page × visitor × width × rule) is written to var/a11y/, with a screenshot of
each failing page. Map tiles and every other external request are blocked: maps load
offline.
"""

import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from tests.browser.conftest import CHROMIUM
from tests.reliability.urlmap import site_routes

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

REPORT_DIR = Path(settings.BASE_DIR) / "var" / "a11y"
WIDTHS = {"ordinateur": (1280, 900), "mobile": (375, 812)}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = ("serious", "critical")
DEPTH = 3
# Pages of one route (e.g. /annuaire/fiches/<pk>/) the crawl scans per visitor: the same
# template with other data. The URL derived from the route (ROUTE_KWARGS: a demo object in
# a telling state, e.g. a call with laureates) is scanned besides.
PER_ROUTE = 1

# The visitors: anonymous, then one demo account per role (tpj/demo/services.py ACCOUNTS).
VISITORS = {
    "anonyme": None,
    "administrateur": "admin@demo.1000jours.fr",
    "equipe-nationale": "national@demo.1000jours.fr",
    "moderatrice": "moderateur.bretagne@demo.1000jours.fr",
    "gestionnaire-ars": "ars.bretagne@demo.1000jours.fr",
    "instructrice": "instruction.ars.bretagne@demo.1000jours.fr",
    "jury": "jury.caf@demo.1000jours.fr",
    "porteuse": "porteur@demo.1000jours.fr",
    "professionnelle": "pro@demo.1000jours.fr",
    "formatrice": "formation@demo.1000jours.fr",
    "commissaire": "commissaire.bretagne@demo.1000jours.fr",
}

# URLs the crawl never opens, with the reason.
CRAWL_SKIPS = [
    (re.compile(r"^/comptes/deconnexion/"), "se déconnecter mettrait fin au parcours du rôle"),
    (re.compile(r"^/oidc/"), "redirige vers ProConnect (service externe)"),
    (re.compile(r"^/admin/.+"), "l'administration Django (back-office du personnel) : seul son index est parcouru"),
    (re.compile(r"^/api/v1/(?!docs/|redoc/)"), "API JSON, pas une page ; couverte par tests/reliability (openapi)"),
    (
        re.compile(r"^/api/v1/(docs|redoc)/"),
        "documentation de l'API, la même page pour tous : axe à 1280 et 375 px dans tests/browser/test_api_docs.py",
    ),
    (re.compile(r"^/static/|^/media/"), "fichiers statiques"),
]

# Routes of the URL configuration that are not pages to scan, with the reason. Everything
# else must be reachable with the ids below (ROUTE_KWARGS) or by itself.
ROUTE_SKIPS = {
    "accounts:logout": "POST seulement (déconnexion)",
    "territories:commune-autocomplete": "fragment htmx de l'autocomplétion, vérifié dans l'annuaire et le formulaire de fiche",
    "registry:evidence": "téléchargement d'un justificatif ; les données de démonstration n'en déposent pas",
    "calls:attachment": "téléchargement d'une pièce jointe ; les données de démonstration n'en déposent pas",
    "calls:report-file": "téléchargement d'un rapport de suivi ; les données de démonstration n'en déposent pas",
    "calls:convention-file": "téléchargement d'une convention (PDF) ; les données de démonstration n'en émettent pas",
    "notifications:open": "marque la notification comme lue et redirige vers sa page (tests/browser/test_notifications_journey.py)",
    "conversations:attachment": "téléchargement d'une pièce jointe d'un échange ; les données de démonstration n'en déposent pas",
    "conversations:export": "fichier CSV des échanges d'un dossier, pas une page",
    "downloads:prepare": "POST seulement (« Préparer le fichier » de l'annuaire et d'un appel à projets)",
    "registry:claim-withdraw": "POST seulement (« Retirer ma demande » sur la fiche, tests/browser/test_claim_journey.py)",
    "oidc_authentication_callback": "retour de ProConnect (service externe)",
    "oidc_authentication_init": "redirige vers ProConnect (service externe)",
    "oidc_logout": "redirige vers ProConnect (service externe)",
    "api-docs": "documentation de l'API, la même page pour tous : axe à 1280 et 375 px dans tests/browser/test_api_docs.py",
    "api-redoc": "redirige vers la documentation de l'API (api-docs)",
}
ROUTE_SKIP_PREFIXES = {
    "/api/v1/": "API JSON, pas une page ; couverte par tests/reliability (openapi)",
    "/admin/": "l'administration Django (back-office du personnel) : seul son index est parcouru",
}


def _thread(kind_key):
    from tpj.conversations.kinds import get
    from tpj.conversations.models import Thread

    thread = Thread.objects.filter(kind=kind_key).order_by("pk").first()
    return None if thread is None else {"kind": get(kind_key).slug, "pk": int(thread.object_id)}


def _first(queryset, **kwargs_of):
    obj = queryset.order_by("pk").first()
    return None if obj is None else {name: getattr(obj, attr) for name, attr in kwargs_of.items()}


def _route_kwargs():
    """How to reach each route with parameters, from the demo data."""
    from tpj.calls.models import Application, ApplicationAnswer, Attachment, Call, Campaign, ScoreSheet
    from tpj.downloads.models import ExportJob
    from tpj.registry.models import Entry, EntryClaim, EntrySituation, ImportJob
    from tpj.registry.models import State as E
    from tpj.training.models import Offer, OfferState, PlanItem, Session, TrainingOrganisation, TrainingPlan
    from tpj.valorisation.models import Apportionment, BirthsTable, Measure

    A = Application.State
    verified = Entry.objects.filter(state=E.VERIFIED, revision_of__isnull=True)
    # Entries, calls and score sheets of the demo visitors, so that one of them may open the page.
    visitors = [email for email in VISITORS.values() if email]
    theirs = Entry.objects.filter(members__email__in=visitors).distinct()
    bretagne = Call.objects.filter(region_id="53")
    decided_call = Call.objects.filter(applications__state=A.LAUREATE).distinct()
    # A call of the Bretagne ARS manager (its instruction team, its own form), a laureate and a
    # submitted file of such a call, an application of the demo carrier.
    ars_bretagne = bretagne.filter(strand__in=[Call.Strand.ARS, Call.Strand.JOINT])
    laureate = Application.objects.filter(state=A.LAUREATE, call__in=ars_bretagne)
    carried = Application.objects.filter(organisation__members__email__in=visitors).distinct()
    submitted = Application.objects.filter(call__in=ars_bretagne).exclude(state=A.DRAFT)
    instructed = submitted.filter(instruction_assignments__isnull=False).distinct()  # the demo instructor's files
    # The demo training organisation (tpj/training/demo.py): a published offer, one awaiting moderation.
    training_organisation = TrainingOrganisation.objects.filter(name="Institut de formation petite enfance de Bretagne")
    published_offer = Offer.objects.filter(title="Favoriser l'éveil au langage des tout-petits", state=OfferState.PUBLISHED)
    submitted_offer = Offer.objects.filter(
        title="Accueillir les parents : la coéducation au quotidien", state=OfferState.SUBMITTED
    )
    return {
        "accounts:confirm-email": lambda: {"token": "jeton-invalide"},
        "accounts:password-reset-confirm": lambda: {"uidb64": "MQ", "token": "jeton-invalide"},
        "registry:entry": lambda: _first(verified, pk="pk"),
        "registry:edit": lambda: _first(theirs.filter(state=E.DRAFT), pk="pk") or _first(theirs, pk="pk"),
        "registry:submit": lambda: _first(theirs.filter(state=E.DRAFT), pk="pk") or _first(theirs, pk="pk"),
        "registry:members": lambda: _first(theirs.filter(state=E.VERIFIED), pk="pk"),
        "registry:logo": lambda: {**_first(theirs.filter(state=E.VERIFIED), pk="pk"), "fmt": "svg"},
        "registry:evidence": lambda: _first(EntrySituation.objects.exclude(evidence=""), pk="pk"),
        "registry:moderate": lambda: _first(Entry.objects.filter(state=E.SUBMITTED), pk="pk"),
        "registry:verification": lambda: _first(verified, public_id="public_id"),
        "registry:verification-qr": lambda: _first(verified, public_id="public_id"),
        "registry:export": lambda: {"fmt": "csv"},
        "registry:review-confirm-member": lambda: _first(theirs.filter(state=E.VERIFIED), pk="pk"),
        "registry:review-confirm": lambda: _review_link(theirs.filter(state=E.VERIFIED)),
        # Claims and invitations (issue 17 §5): the demo's imported entry without members and
        # the professional's claim of it; an invitation link that is not valid (its French page).
        "registry:claim-entry": lambda: _first(verified.filter(members__isnull=True), pk="pk"),
        "registry:claim": lambda: _first(EntryClaim.objects, pk="pk"),
        "registry:invitation": _invitation_link,
        # The demo's exchange on an application (issue 17 §3), read by its manager or carrier.
        "conversations:thread": lambda: _thread("calls.application"),
        # The worker tier's demo (tpj/demo/worker_tier.py): the Bretagne moderator's imports,
        # the national team's prepared files.
        "registry:import-job": lambda: _first(ImportJob.objects.filter(created_by__email__in=visitors), pk="pk"),
        "downloads:job": lambda: _first(ExportJob.objects.filter(requested_by__email__in=visitors), pk="pk"),
        "downloads:file": lambda: _first(
            ExportJob.objects.filter(requested_by__email__in=visitors, status=ExportJob.Status.READY), pk="pk"
        ),
        "calls:campaign-board": lambda: _first(Campaign.objects, pk="pk"),
        "calls:campaign-edit": lambda: _first(Campaign.objects, pk="pk"),
        "calls:campaign-export": lambda: {**_first(Campaign.objects, pk="pk"), "fmt": "csv"},
        "calls:call-detail": lambda: _first(decided_call, pk="pk"),
        "calls:call-edit": lambda: _first(bretagne.filter(state=Call.State.DRAFT), pk="pk") or _first(bretagne, pk="pk"),
        "calls:call-transition": lambda: {**_first(Call.objects, pk="pk"), "name": "publish"},
        "calls:call-document": lambda: _first(Call.objects.exclude(cahier_des_charges=""), pk="pk"),
        "calls:call-applications": lambda: _first(decided_call, pk="pk"),
        "calls:jury": lambda: _first(decided_call, pk="pk"),
        "calls:ranking": lambda: _first(decided_call, pk="pk"),
        "calls:allocation": lambda: _first(decided_call, pk="pk"),
        "calls:notify": lambda: _first(decided_call, pk="pk"),
        "calls:call-export": lambda: {**_first(decided_call, pk="pk"), "fmt": "csv"},
        "calls:application-create": lambda: _first(Call.objects.filter(state=Call.State.PUBLISHED), pk="pk"),
        "calls:application-detail": lambda: _first(Application.objects.filter(state=A.LAUREATE), pk="pk"),
        "calls:application-edit": lambda: _first(Application.objects.filter(state=A.DRAFT), pk="pk"),
        "calls:application-action": lambda: {**_first(Application.objects, pk="pk"), "name": "submit"},
        "calls:decision-letter": lambda: _first(Application.objects.filter(state=A.LAUREATE), pk="pk"),
        "calls:attachment": lambda: _first(Attachment.objects, pk="pk"),
        "calls:sheet": lambda: _first(ScoreSheet.objects.filter(member__user__email__in=visitors), pk="pk"),
        # Issue 18. The POST-only addresses answer 405 to a GET from whoever may use them.
        "calls:derogation-request": lambda: _first(ars_bretagne.filter(applications__state=A.LAUREATE), pk="pk"),
        "calls:derogation-decide": lambda: _first(decided_call, pk="pk"),
        "calls:call-questions": lambda: _first(ars_bretagne.filter(questions__isnull=False).distinct(), pk="pk"),
        "calls:answer-upload": lambda: _first(carried, pk="pk"),
        "calls:answer-file": lambda: _first(ApplicationAnswer.objects.exclude(file=""), pk="pk"),
        "calls:instruction-team": lambda: _first(ars_bretagne.filter(instructors__isnull=False).distinct(), pk="pk")
        or _first(ars_bretagne, pk="pk"),
        "calls:instruction-team-action": lambda: {**(_first(ars_bretagne, pk="pk") or {"pk": None}), "name": "ajouter"},
        "calls:application-instruction": lambda: {
            **(_first(instructed, pk="pk") or _first(submitted, pk="pk") or {"pk": None}),
            "name": "cocher",
        },
        "calls:call-reports": lambda: _first(decided_call, pk="pk"),
        "calls:report-action": lambda: {**(_first(laureate, pk="pk") or {"pk": None}), "kind": "interim", "name": "envoyer"},
        "calls:convention": lambda: _first(laureate, pk="pk"),
        "calls:convention-action": lambda: {**(_first(laureate, pk="pk") or {"pk": None}), "name": "echeancier"},
        "calls:call-conventions": lambda: _first(ars_bretagne.filter(applications__state=A.LAUREATE).distinct(), pk="pk"),
        "calls:committee": lambda: _first(decided_call, pk="pk"),
        "valorisation:project": lambda: _first(Application.objects.public_laureates(), pk="pk"),
        "valorisation:highlight": lambda: _first(Application.objects.public_laureates(), pk="pk"),
        "valorisation:library-call": lambda: _first(Call.objects.exclude(state=Call.State.DRAFT), pk="pk"),
        "valorisation:library-document": lambda: _first(Call.objects.exclude(cahier_des_charges=""), pk="pk"),
        "valorisation:priority": lambda: {"number": 1},
        "valorisation:births": lambda: _first(BirthsTable.objects, pk="pk"),
        "valorisation:apportion": lambda: _first(BirthsTable.objects, pk="pk"),
        "valorisation:apportionment": lambda: _first(Apportionment.objects, pk="pk"),
        "valorisation:apportionment-csv": lambda: _first(Apportionment.objects, pk="pk"),
        "valorisation:measure": lambda: _first(Measure.objects, slug="slug"),
        "valorisation:deployment-create": lambda: _first(Measure.objects, slug="slug"),
        "valorisation:deployments-csv": lambda: _first(Measure.objects, slug="slug"),
        # Module 4: the offer's public page; its form and its moderation (the commissaire of
        # Bretagne) on the offer awaiting moderation; « action » is POST only (405 on a GET).
        "training:offer": lambda: _first(published_offer, pk="pk"),
        "training:create": lambda: _first(training_organisation, pk="pk"),
        "training:edit": lambda: _first(submitted_offer, pk="pk"),
        "training:move": lambda: _first(submitted_offer, pk="pk"),
        "training:moderate": lambda: _first(submitted_offer, pk="pk"),
        # Journeys 4 and 5: the demo professional's plan (tpj/training/demo.py) and its offers;
        # the bilan of the organisation's ended sessions (declared, or awaiting).
        "training:plan": lambda: _first(TrainingPlan.objects, pk="pk"),
        "training:plan-rename": lambda: _first(TrainingPlan.objects, pk="pk"),
        "training:plan-delete": lambda: _first(TrainingPlan.objects, pk="pk"),
        "training:plan-export": lambda: {**(_first(TrainingPlan.objects, pk="pk") or {"pk": None}), "fmt": "csv"},
        "training:plan-item": lambda: _first(PlanItem.objects, pk="plan_id", item="pk"),
        "training:plan-item-remove": lambda: _first(PlanItem.objects, pk="plan_id", item="pk"),
        "training:add-to-plan": lambda: _first(published_offer, pk="pk"),
        "training:export": lambda: {"fmt": "csv"},
        "training:session-report": lambda: _first(
            Session.objects.filter(offer__organisation__in=training_organisation, end_date__lt=timezone.localdate()), pk="pk"
        ),
    }


def _invitation_link() -> dict | None:
    """A pending invitation to a demo entry, whose link (token) the test knows: the link's page
    as the invited person sees it before signing in."""
    from tpj.registry.models import Entry, MemberInvitation
    from tpj.registry.services.invitations import hash_token, invitation_expiry

    entry = Entry.objects.filter(members__email=VISITORS["professionnelle"]).order_by("pk").first()
    if entry is None:
        return None
    token = "lien-de-demonstration"
    MemberInvitation.objects.get_or_create(
        token_hash=hash_token(token),
        defaults={"entry": entry, "email": "invitee@exemple.fr", "expires_at": invitation_expiry(timezone.now())},
    )
    return {"token": token}


def _review_link(entries) -> dict | None:
    """The yearly review e-mail's one-click link, as sent to a demo member of one of `entries`."""
    from tpj.registry.services.review import confirmation_token

    entry = entries.order_by("pk").first()
    member = entry.members.filter(is_active=True).order_by("pk").first() if entry else None
    return {"token": confirmation_token(entry, member)} if member else None


def _route_skip(route) -> str | None:
    if route.name in ROUTE_SKIPS:
        return ROUTE_SKIPS[route.name]
    return next((reason for prefix, reason in ROUTE_SKIP_PREFIXES.items() if route.template.startswith(prefix)), None)


def route_urls() -> tuple[list[str], list[str]]:
    """(URL of every GET route to scan, problems: routes nobody said how to reach)."""
    resolvers, urls, problems = _route_kwargs(), [], []
    for route in site_routes():
        if _route_skip(route):
            continue
        if not route.params:
            urls.append(route.path())
            continue
        if route.name not in resolvers:
            problems.append(f"{route.name} ({route.template}) : declare how to reach this page (ROUTE_KWARGS or ROUTE_SKIPS)")
            continue
        kwargs = resolvers[route.name]()
        if not kwargs or None in kwargs.values():
            problems.append(f"{route.name} ({route.template}) : no demo object found; declare how to reach this page")
            continue
        urls.append(route.path_from(kwargs))
    return urls, problems


# --- what a French page must not show --------------------------------------------------------

ENGLISH_WORDS = [
    "Submit", "Cancel", "Save", "Delete", "Edit", "Search", "Next", "Previous", "Loading", "Error",
    "Forbidden", "Not Found", "Zoom in", "Zoom out", "Close", "Back", "Sign in", "Sign up", "Log in",
    "Log out", "Logout", "Login", "Password", "Download", "Upload", "Select", "Reset", "Show more",
    "Read more", "Skip to content", "Required", "required", "Home", "Settings", "Filter", "Sort by",
    "Welcome", "Page not found", "Server Error", "contributors", "A JavaScript library for interactive maps",
    "Yes", "None", "True", "False", "null", "undefined", "NaN",
]  # fmt: skip
# Choice values that are also French words (or appear inside their own label): « la file de
# modération », « le rapport final », « la commissaire ».
FRENCH_VALUES = {
    "commune", "convention", "financement", "etat", "sante", "monenfant", "metro", "drom", "ars", "region", "joint",
    "commissaire", "file", "final", "territorial",
    "CLP",  # the commissaire's acronym, in DOMAIN.md's glossary beside ARS and DREETS
}  # fmt: skip


def declared_codes() -> set[str]:
    """Codes the workflows, the models' choices and the audit log declare: never shown raw."""
    from tpj.audit.labels import ACTION_LABELS
    from tpj.calls.workflows import APPLICATION_WORKFLOW, CALL_WORKFLOW
    from tpj.registry.workflow import ENTRY_WORKFLOW

    codes = set(ACTION_LABELS)
    for workflow in (CALL_WORKFLOW, APPLICATION_WORKFLOW, ENTRY_WORKFLOW):
        for transition in workflow.transitions:
            codes.add(f"{workflow.name}.{transition.name}")
            if "_" in transition.name:
                codes.add(transition.name)
            codes.update(str(source) for source in transition.sources)
            codes.add(str(transition.target))
    for model in apps.get_models():
        if not model.__module__.startswith("tpj."):
            continue
        for model_field in model._meta.get_fields():
            for value, label in getattr(model_field, "choices", None) or ():
                if isinstance(value, str) and value and value.lower() != str(label).lower():
                    codes.add(value)
    return {code for code in codes if code not in FRENCH_VALUES}


def forbidden_patterns() -> list[tuple[str, re.Pattern]]:
    words = sorted(declared_codes() | set(ENGLISH_WORDS), key=len, reverse=True)
    return [
        ("mot anglais ou code brut", re.compile(r"(?<![\w.\-/])(" + "|".join(map(re.escape, words)) + r")(?![\w\-/]|\.\w)")),
        ("nom de champ technique", re.compile(r"\b[a-z_]+\.[A-Z][A-Za-z]+\.[a-z_]+\b")),
        ("nom de réglage technique", re.compile(r"\b[A-Z]{2,}_[A-Z_]{2,}\b")),
    ]


# Visible text and the names a screen reader reads, outside [lang] other than French and <code>.
COLLECT_TEXT = """() => {
  const foreign = el => el.closest('code, pre, kbd, samp, script, style, noscript, template, [lang]:not([lang^="fr"])');
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || !node.textContent.trim() || foreign(parent)) continue;
    if (parent.checkVisibility && !parent.checkVisibility({visibilityProperty: true})) continue;
    out.push(node.textContent.trim());
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [alt], [placeholder]')) {
    if (foreign(el)) continue;
    for (const name of ['aria-label', 'title', 'alt', 'placeholder']) {
      const value = el.getAttribute(name);
      if (value && value.trim()) out.push(value.trim());
    }
  }
  out.push(document.title);
  return out;
}"""

LINKS = """() => Array.from(document.querySelectorAll('a[href]'), a => a.href)"""
SETTLE = """() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))"""


@dataclass
class Finding:
    path: str
    visitor: str
    width: str
    rule: str
    detail: str

    def __str__(self):
        return f"{self.path} × {self.visitor} × {self.width} × {self.rule} : {self.detail}"


@dataclass
class Crawl:
    visitor: str
    http: object  # the browser context's APIRequestContext (its cookies)
    origin: str
    queue: list[tuple[str, int]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    query_variants: set[str] = field(default_factory=set)
    per_route: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    seconds: Counter = field(default_factory=Counter)  # where the time goes, for the report

    def add(self, url: str, depth: int, from_route: bool = False):
        parts = urlsplit(url)
        if parts.netloc and f"{parts.scheme}://{parts.netloc}" != self.origin:
            return
        path = parts.path or "/"
        for pattern, reason in CRAWL_SKIPS:
            if pattern.search(path):
                self.skipped[reason] += 1
                return
        if "page=" in parts.query:
            self.skipped["?page= : une autre page de la même liste"] += 1
            return
        if parts.query:  # the first query variant of a path only
            if path in self.query_variants:
                self.skipped["variante de paramètres d'une page déjà vue"] += 1
                return
            self.query_variants.add(path)
        url = path + (f"?{parts.query}" if parts.query else "")
        if url in self.seen:
            return
        try:
            match = resolve(path)
        except Resolver404:
            return
        key = match.route if not parts.query else f"{match.route}?"
        if self.per_route[key] >= PER_ROUTE and not from_route:
            self.skipped["une autre page d'une route déjà analysée (même gabarit)"] += 1
            return
        self.seen.add(url)
        self.per_route[key] += 1
        self.queue.append((url, depth))

    def is_page(self, url: str) -> bool:
        """An HTML page this visitor may open (downloads and refusals are not scanned).

        Asked through the browser's session, over HTTP: the live server's thread owns the
        (in-memory) database while the browser uses it."""
        response = self.http.get(self.origin + url, max_redirects=0)
        if response.status != 200:
            self.skipped[f"HTTP {response.status} pour ce rôle"] += 1
            return False
        if not response.headers.get("content-type", "").startswith("text/html"):
            self.skipped["téléchargement (type de contenu non HTML)"] += 1
            return False
        return True


def _scan(page, url, visitor, width, patterns) -> list[Finding]:
    findings = []
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS
    )
    for violation in results["violations"]:
        if violation.get("impact") in BLOCKING_IMPACTS:
            targets = ", ".join(" ".join(map(str, n["target"])) for n in violation["nodes"][:3])
            findings.append(Finding(url, visitor, width, f"axe:{violation['id']}", f"{violation['help']} — {targets}"))
    if page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth"):
        overflow = page.evaluate("() => document.documentElement.scrollWidth")
        findings.append(Finding(url, visitor, width, "débordement horizontal", f"{overflow} px de large"))
    if width == "ordinateur":  # language checks once per page
        lang = page.evaluate("() => document.documentElement.lang")
        if lang != "fr":
            findings.append(Finding(url, visitor, width, "langue de la page", f'<html lang="{lang}">'))
        text = "\n".join(page.evaluate(COLLECT_TEXT))
        for rule, pattern in patterns:
            found = sorted({m.group(0) for m in pattern.finditer(text)})
            if found:
                findings.append(Finding(url, visitor, width, rule, ", ".join(found[:10])))
    return findings


def _screenshot(page, url, visitor, width):
    slug = re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "accueil"
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(REPORT_DIR / f"{visitor}-{slug}-{width}.png"), full_page=True)


def _size(width: str) -> dict:
    return dict(zip(("width", "height"), WIDTHS[width], strict=True))


def _axe_script() -> str:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().axe_script


def _sign_in_context(context, live_server, email):
    """The browser context is signed in as that demo account (a session made in the test)."""
    from tpj.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email), backend="tpj.accounts.backends.EmailBackend")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def crawl_and_scan(browser, live_server, visitor, email) -> tuple[list[Finding], list[str], Crawl]:
    context = browser.new_context(locale="fr-FR", viewport=_size("ordinateur"))
    context.set_default_timeout(20_000)
    # Maps load offline: no tile, no external host.
    context.route("**/*tile*", lambda route: route.abort())
    context.route("https://**", lambda route: route.abort())
    context.add_init_script(_axe_script())
    if email:
        _sign_in_context(context, live_server, email)
    crawl = Crawl(visitor, context.request, live_server.url)
    crawl.add("/", 0)
    if email:
        crawl.add("/mon-espace/", 0)
    routes, problems = route_urls()
    patterns = forbidden_patterns()
    page = context.new_page()
    findings, scanned = [], []
    routes_added = False
    while crawl.queue or not routes_added:
        if not crawl.queue:  # the crawl is over: then every route not reached yet
            routes_added = True
            for url in routes:
                crawl.add(url, DEPTH, from_route=True)
            continue
        url, depth = crawl.queue.pop(0)
        started = time.monotonic()
        if not crawl.is_page(url):
            crawl.seconds["requêtes de tri"] += time.monotonic() - started
            continue
        crawl.seconds["requêtes de tri"] += time.monotonic() - started
        started = time.monotonic()
        page.set_viewport_size(_size("ordinateur"))
        page.goto(live_server.url + url, wait_until="load")
        scanned.append(url)
        if depth < DEPTH:
            for link in page.evaluate(LINKS):
                crawl.add(link.split("#")[0], depth + 1)
        crawl.seconds["chargement des pages"] += time.monotonic() - started
        for width, (w, h) in WIDTHS.items():
            started = time.monotonic()
            page.set_viewport_size({"width": w, "height": h})
            page.evaluate(SETTLE)
            found = _scan(page, url, visitor, width, patterns)
            if found:
                _screenshot(page, url, visitor, width)
            findings.extend(found)
            crawl.seconds[f"analyses ({width})"] += time.monotonic() - started
    context.close()
    return findings, scanned, crawl


def _write_report(visitor, findings, scanned, crawl):
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    lines = [
        f"Visiteur : {visitor} — {len(scanned)} pages × {len(WIDTHS)} largeurs = {len(scanned) * len(WIDTHS)} analyses",
        f"Constats : {len(findings)}",
        "Durées : " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in crawl.seconds.items()),
        *(f"  {f}" for f in findings),
        "Pages analysées :",
        *(f"  {url}" for url in scanned),
        "Non analysées :",
        *(f"  {n} × {reason}" for reason, n in crawl.skipped.most_common()),
    ]
    (REPORT_DIR / f"rapport-{visitor}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _reached(client, url) -> bool:
    """The page answers this visitor: a page (200), its refusal of a bad link (400), a form
    endpoint (405 on GET, or a redirect to the page holding the form — not to the login)."""
    response = client.get(url)
    response.close()  # downloads are file responses
    if response.status_code in (301, 302):
        return not response["Location"].startswith(reverse(settings.LOGIN_URL))
    return response.status_code in (200, 400, 405)


@pytest.fixture
def demo_data(transactional_db):
    from tpj.demo.services import load_demo
    from tpj.valorisation.loader import load_measures
    from tpj.valorisation.models import Measure

    if not Measure.objects.exists():  # loaded by a data migration: gone after a flush
        load_measures(apps)
    return load_demo()


def test_every_route_is_reachable_or_declared(demo_data):
    """A route nobody can reach from the demo data must say why it is not scanned."""
    urls, problems = route_urls()
    assert not problems, "\n".join(problems)
    clients = []
    for email in VISITORS.values():
        client = Client()
        if email:
            client.force_login(demo_data[email], backend="tpj.accounts.backends.EmailBackend")
        clients.append(client)
    unreachable = []
    for url in urls:
        if not any(_reached(c, url) for c in clients):
            unreachable.append(f"{url} : aucun visiteur de démonstration n'y accède ; declare how to reach this page")
    assert not unreachable, "\n".join(unreachable)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium absent")
@pytest.mark.parametrize("visitor", list(VISITORS))
def test_every_page_is_accessible_and_french(visitor, demo_data, browser, live_server):
    findings, scanned, crawl = crawl_and_scan(browser, live_server, visitor, VISITORS[visitor])
    _write_report(visitor, findings, scanned, crawl)
    assert scanned, "aucune page analysée"
    by_rule = defaultdict(list)
    for finding in findings:
        by_rule[finding.rule].append(finding)
    assert not findings, (
        f"{len(findings)} constat(s) sur {len(scanned)} pages × {len(WIDTHS)} largeurs pour « {visitor} » "
        f"(rapport : var/a11y/rapport-{visitor}.txt) :\n" + "\n".join(f"- {f}" for f in findings)
    )


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium absent")
def test_error_pages_are_accessible_and_french(demo_data, browser, live_server):
    """The pages no link leads to: not found (404), refused (403) and the CSRF failure."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.add_init_script(_axe_script())
    page, findings, patterns = context.new_page(), [], forbidden_patterns()

    def scan(label):
        for width, (w, h) in WIDTHS.items():
            page.set_viewport_size({"width": w, "height": h})
            page.evaluate(SETTLE)
            findings.extend(_scan(page, label, "anonyme", width, patterns))

    assert page.goto(f"{live_server.url}/page-qui-n-existe-pas/").status == 404
    scan("404")
    # A form sent without the CSRF cookie (expired session, cookies refused): Django's page.
    page.goto(f"{live_server.url}/comptes/connexion/")
    context.clear_cookies()
    page.get_by_label("Adresse e-mail").fill("personne@example.fr")
    page.get_by_label("Mot de passe").fill("mot-de-passe")
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Se connecter").last.click()
    assert posted.value.status == 403
    page.wait_for_load_state()
    scan("échec CSRF")
    # A page refused to a signed-in user.
    _sign_in_context(context, live_server, "porteur@demo.1000jours.fr")
    assert page.goto(f"{live_server.url}/journal/").status == 403
    scan("403")
    context.close()
    assert not findings, "\n".join(f"- {f}" for f in findings)
