"""A short exchange on one demo application and one demo entry (each with an internal note),
written through `services.post` as the people would: notifications, read marks and history
included. Run after the registry's and the calls' demo data (`load(accounts)`, as the other
modules' loaders in tpj/demo/services.py); safe to run twice.

This app sits below the modules: it finds their files through the thread kinds they declare
(`kinds.get(...).model_class()`), never by importing them.
"""

from django.contrib.auth import get_user_model

from . import kinds, services
from .services import thread_of

APPLICATION_TITLE = "Pères en crèche"  # submitted by the Ville de Brest to the joint Bretagne call
# The demo applicant's laureate project: the ARS asks a question left for the applicant to answer.
LAUREATE_TITLE = "Cafés des parents itinérants en Pays de Rennes"
ENTRY_MEMBER = "pro@demo.1000jours.fr"  # « Sophie — sage-femme libérale », in Ille-et-Vilaine


def _user(email):
    return get_user_model().objects.filter(email=email, is_active=True).first()


def _exchange(kind_key, file, lines) -> int:
    """Post `lines` [(author, body, internal)] on `file`'s thread unless it has messages already."""
    kind = kinds.get(kind_key)
    if file is None or thread_of(kind, file) is not None or any(author is None for author, _, _ in lines):
        return 0
    for author, body, internal in lines:
        services.post(author, kind, file, body, internal=internal)
    return len(lines)


def load(accounts: dict | None = None) -> int:
    """Add the demo exchanges; return how many messages were written."""
    application = (
        kinds.get("calls.application")
        .model_class()
        .objects.filter(title=APPLICATION_TITLE, submitted_at__isnull=False)
        .select_related("call", "created_by")
        .order_by("-pk")
        .first()
    )
    written = 0
    if application is not None:
        dreets, ars = _user("dreets.bretagne@demo.1000jours.fr"), _user("ars.bretagne@demo.1000jours.fr")
        written += _exchange(
            "calls.application",
            application,
            [
                (
                    dreets,
                    "Bonjour, merci pour votre candidature. Combien de samedis d'ateliers prévoyez-vous sur l'année, "
                    "et qui les anime ? Le montant demandé à la DREETS en dépend.",
                    False,
                ),
                (ars, "Projet cohérent avec l'axe 6 ; vérifier le co-financement CAF avant le jury.", True),
                (
                    application.created_by,
                    "Bonjour, nous prévoyons 30 samedis hors vacances d'été, animés par une éducatrice de jeunes enfants "
                    "de la crèche municipale et un intervenant du Réseau périnatal de Bretagne.",
                    False,
                ),
            ],
        )
    laureate = kinds.get("calls.application").model_class().objects.filter(title=LAUREATE_TITLE).order_by("-pk").first()
    if laureate is not None:
        written += _exchange(
            "calls.application",
            laureate,
            [
                (
                    _user("ars.bretagne@demo.1000jours.fr"),
                    "Bonjour, félicitations pour votre projet lauréat. Pour préparer la convention, pouvez-vous "
                    "nous confirmer les communes où les cafés itinérants auront lieu la première année ?",
                    False,
                ),
            ],
        )
    member = _user(ENTRY_MEMBER)
    entry = kinds.get("registry.entry").model_class().objects.filter(members=member).order_by("pk").first() if member else None
    if entry is not None:
        moderator = _user("moderateur.bretagne@demo.1000jours.fr")
        written += _exchange(
            "registry.entry",
            entry,
            [
                (
                    moderator,
                    "Bonjour, les numéros ADELI des sages-femmes sont remplacés par le RPPS : pouvez-vous nous "
                    "indiquer le vôtre ? Il apparaîtra comme référence de votre éligibilité.",
                    False,
                ),
                (moderator, "ADELI vérifié sur l'annuaire santé ; RPPS à reporter sur la fiche dès réception.", True),
                (member, "Bonjour, mon numéro RPPS est 10001234567. Je le reporte sur la fiche dès aujourd'hui.", False),
            ],
        )
    return written
