"""Demo entries on real communes, in every state, for the demo accounts (idempotent)."""

import datetime

from django.db import transaction
from django.utils import timezone

from tpj.accounts.demo import demo_siret
from tpj.audit.services import record
from tpj.nomenclatures.models import Category, EligibilitySituation, EntryKind, Priority
from tpj.territories.models import Commune

from . import aggregates
from .models import ContactChannel, Entry, EntryClaim, EntryPriority, EntrySituation, GeocodingPrecision, State
from .services import claims

SOURCE = "demo"
PRO = "pro@demo.1000jours.fr"
# The SIRET of the demo professional's practice, declared on her verified entry; the group
# practice below, imported without members, shares it: she has claimed it, and the moderator
# of Bretagne finds her claim in « Revendications » (issue 17 §5).
PRO_SIRET = demo_siret("Sophie — sage-femme libérale")
CLAIMED = "bzh-import-cabinet-sages-femmes"

# key, name, kind, category, commune, postal code, address, state, priorities, (situation, body, body kind, ref type, ref)
ENTRIES = [
    (
        "bzh-pmi-villejean",
        "Centre de PMI de Villejean",
        "etablissement",
        "centre-pmi",
        "35238",
        "35000",
        "8 place de Bourgogne",
        State.VERIFIED,
        (2, 5),
        (1, "Département d'Ille-et-Vilaine", "collectivite", "agrement", "PMI-35-VILLEJEAN"),
    ),
    (
        "bzh-chu-rennes",
        "Maternité du CHU de Rennes",
        "etablissement",
        "maternite",
        "35238",
        "35000",
        "16 boulevard de Bulgarie",
        State.VERIFIED,
        (2, 3, 10),
        (3, "CPAM d'Ille-et-Vilaine", "securite_sociale", "finess", "350005179"),
    ),
    (
        "bzh-creche-brest",
        "Crèche municipale Les P'tits Mousses",
        "etablissement",
        "creche",
        "29019",
        "29200",
        "12 rue de Siam",
        State.VERIFIED,
        (8, 6),
        (4, "Ville de Brest", "collectivite", "agrement", "EAJE-29-0412"),
    ),
    (
        "bzh-mediatheque-quimper",
        "Médiathèque des Ursulines",
        "etablissement",
        "culture",
        "29232",
        "29000",
        "5 rue des Ursulines",
        State.VERIFIED,
        (6, 1),
        (1, "Ville de Quimper", "collectivite", "convention", "CULT-2023-08"),
    ),
    (
        "bzh-laep-saint-brieuc",
        "LAEP La Passerelle",
        "etablissement",
        "laep",
        "22278",
        "22000",
        "3 rue Jules Ferry",
        State.VERIFIED,
        (4, 10),
        (2, "CAF des Côtes-d'Armor", "securite_sociale", "convention", "PS-LAEP-22-015"),
    ),
    (
        "bzh-rpe-lorient",
        "Relais Petite Enfance de Lorient",
        "etablissement",
        "rpe",
        "56121",
        "56100",
        "2 boulevard Cosmao Dumanoir",
        State.VERIFIED,
        (8, 9),
        (2, "CAF du Morbihan", "securite_sociale", "convention", "RPE-56-2022-3"),
    ),
    (
        "bzh-centre-social-vannes",
        "Centre social de Kercado",
        "etablissement",
        "centre-social",
        "56260",
        "56000",
        "rue Émile Roux",
        State.VERIFIED,
        (4, 7),
        (4, "CAF du Morbihan", "securite_sociale", "agrement", "CS-56-KERCADO"),
    ),
    (
        "bzh-mam-bruz",
        "MAM Les Trois Pommes",
        "etablissement",
        "mam",
        "35047",
        "35170",
        "7 rue de Rennes",
        State.VERIFIED,
        (8,),
        (4, "Département d'Ille-et-Vilaine (PMI)", "collectivite", "agrement", "MAM-35-0098"),
    ),
    (
        "bzh-sport-saint-malo",
        "Club Gym Bébé Malouin",
        "etablissement",
        "sport",
        "35288",
        "35400",
        "allée des Sports",
        State.VERIFIED,
        (6, 4),
        (2, "Ville de Saint-Malo", "collectivite", "financement", "SUBV-2024-115"),
    ),
    (
        "bzh-maison-parents-lannion",
        "Maison des parents du Trégor",
        "etablissement",
        "maison-des-parents",
        "22113",
        "22300",
        "4 avenue de la Résistance",
        State.VERIFIED,
        (2, 4, 10),
        (2, "CAF des Côtes-d'Armor", "securite_sociale", "convention", "REAAP-22-031"),
    ),
    (
        "rh-pmi-villeurbanne",
        "Centre de PMI de Villeurbanne Gratte-Ciel",
        "etablissement",
        "centre-pmi",
        "69266",
        "69100",
        "5 rue Michel Servet",
        State.VERIFIED,
        (2,),
        (1, "Métropole de Lyon", "collectivite", "agrement", "PMI-69-VBN-01"),
    ),
    (
        "rh-hcl-croix-rousse",
        "Maternité de l'hôpital de la Croix-Rousse",
        "etablissement",
        "maternite",
        "69123",
        "69004",
        "103 grande rue de la Croix-Rousse",
        State.VERIFIED,
        (2, 3),
        (3, "CPAM du Rhône", "securite_sociale", "finess", "690781810"),
    ),
    (
        "rh-creche-venissieux",
        "Crèche associative Les Minots",
        "etablissement",
        "creche",
        "69259",
        "69200",
        "10 avenue Jean Jaurès",
        State.VERIFIED,
        (8, 7),
        (2, "CAF du Rhône", "securite_sociale", "convention", "PSU-69-7781"),
    ),
    (
        "rh-theatre-lyon",
        "Théâtre des Tout-Petits",
        "etablissement",
        "culture",
        "69123",
        "69007",
        "18 rue de Marseille",
        State.VERIFIED,
        (6,),
        (2, "DRAC Auvergne-Rhône-Alpes", "etat", "financement", "DRAC-2024-EAC-77"),
    ),
    (
        "rh-cafe-parents-bron",
        "Café des parents de Bron",
        "etablissement",
        "cafes-des-parents",
        "69029",
        "69500",
        "place de la Liberté",
        State.VERIFIED,
        (4, 10),
        (2, "CAF du Rhône", "securite_sociale", "convention", "REAAP-69-204"),
    ),
    (
        "rh-saad-villefranche",
        "SAAD Familles du Beaujolais",
        "etablissement",
        "saad-familles",
        "69264",
        "69400",
        "27 rue Nationale",
        State.VERIFIED,
        (4, 3),
        (4, "Département du Rhône", "collectivite", "agrement", "SAAD-69-0033"),
    ),
    # Waiting for the demo moderators.
    (
        "rh-sub-mam-givors",
        "MAM Les Petits Pas",
        "etablissement",
        "mam",
        "69091",
        "69700",
        "2 rue Roger Salengro",
        State.SUBMITTED,
        (8,),
        (4, "Département du Rhône (PMI)", "collectivite", "agrement", "MAM-69-0451"),
    ),
    (
        "rh-sub-laep-lyon",
        "LAEP Le Petit Jardin",
        "etablissement",
        "laep",
        "69123",
        "69008",
        "12 avenue des Frères Lumière",
        State.SUBMITTED,
        (4,),
        (2, "CAF du Rhône", "securite_sociale", "convention", "PS-LAEP-69-088"),
    ),
    (
        "rh-sub-sage-femme",
        "Sage-femme libérale — Claire Dumas",
        "independant",
        "sante",
        "69266",
        "69100",
        "45 cours Émile Zola",
        State.SUBMITTED,
        (2, 10),
        (3, "CPAM du Rhône", "securite_sociale", "rpps", "10003456782"),
    ),
    (
        "bzh-sub-rpe-landerneau",
        "Relais Petite Enfance du Pays de Landerneau",
        "etablissement",
        "rpe",
        "29103",
        "29800",
        "59 rue de Brest",
        State.SUBMITTED,
        (8, 9),
        (2, "CAF du Finistère", "securite_sociale", "convention", "RPE-29-2024-2"),
    ),
    (
        "bzh-sub-creche-rennes",
        "Crèche Les Lucioles",
        "etablissement",
        "creche",
        "35238",
        "35200",
        "20 rue de Châtillon",
        State.SUBMITTED,
        (8,),
        (4, "Département d'Ille-et-Vilaine (PMI)", "collectivite", "agrement", "EAJE-35-1187"),
    ),
    (
        "bzh-sub-doublon",
        "Crèche municipale Les P'tits Mousses",
        "etablissement",
        "creche",
        "29019",
        "29200",
        "12 rue de Siam",
        State.SUBMITTED,
        (8,),
        (4, "Ville de Brest", "collectivite", "agrement", "EAJE-29-0412"),
    ),
    # Imported in bulk, without members (claimed by the demo professional, see PRO_SIRET).
    (
        CLAIMED,
        "Cabinet de sages-femmes de la rue de Nemours",
        "etablissement",
        "sante",
        "35238",
        "35000",
        "14 rue de Nemours",
        State.VERIFIED,
        (2, 3),
        (3, "CPAM d'Ille-et-Vilaine", "securite_sociale", "siret", PRO_SIRET),
    ),
    # Other states.
    ("bzh-draft-ase", "Pouponnière départementale", "etablissement", "ase", "29232", "29000", "", State.DRAFT, (3,), None),
    (
        "rh-rejected",
        "Atelier bébés nageurs",
        "etablissement",
        "sport",
        "69123",
        "69003",
        "8 rue Garibaldi",
        State.REJECTED,
        (6,),
        (2, "Association sportive", "collectivite", "financement", "?"),
        "Aucun financement public justifié.",
    ),
    (
        "bzh-changes",
        "Espace de vie sociale de Maurepas",
        "etablissement",
        "centre-social",
        "35238",
        "35700",
        "place du Gros Chêne",
        State.CHANGES_REQUESTED,
        (4,),
        (4, "CAF d'Ille-et-Vilaine", "securite_sociale", "agrement", "EVS-35-0021"),
        "Merci de joindre l'agrément EVS en cours de validité.",
    ),
    (
        "rh-suspended",
        "Crèche Les Canuts",
        "etablissement",
        "creche",
        "69123",
        "69004",
        "3 place Bellevue",
        State.SUSPENDED,
        (8,),
        (4, "Métropole de Lyon (PMI)", "collectivite", "agrement", "EAJE-69-0930"),
        "Agrément suspendu par la PMI.",
    ),
    # The demo professional's own entry (Sophie, sage-femme).
    (
        "pro-sage-femme",
        "Sophie — sage-femme libérale",
        "independant",
        "sante",
        "35238",
        "35000",
        "14 rue de Nemours",
        State.VERIFIED,
        (2, 10),
        (3, "CPAM d'Ille-et-Vilaine", "securite_sociale", "adeli", "359912345"),
    ),
]


@transaction.atomic
def load(accounts: dict) -> None:
    kinds = {k.slug: k for k in EntryKind.objects.all()}
    categories = {c.slug: c for c in Category.objects.all()}
    priorities = {p.number: p for p in Priority.objects.all()}
    situations = {s.number: s for s in EligibilitySituation.objects.all()}
    pro = accounts.get(PRO)
    now = timezone.now()
    for key, name, kind, category, insee, postal, address, state, numbers, situation, *reason in ENTRIES:
        if Entry.objects.filter(import_source=SOURCE, external_id=key).exists():
            continue
        commune = Commune.objects.get(insee_code=insee)
        entry = Entry(
            kind=kinds[kind],
            category=categories[category],
            name=name,
            address=address,
            postal_code=postal,
            commune=commune,
            latitude=commune.latitude,
            longitude=commune.longitude,
            geocoding_precision=GeocodingPrecision.MUNICIPALITY,
            state=state,
            decision_reason=reason[0] if reason else "",
            import_source=SOURCE,
            external_id=key,
            submitted_at=now if state != State.DRAFT else None,
            verified_at=now if state in (State.VERIFIED, State.SUSPENDED) else None,
            website="https://www.1000-premiers-jours.fr" if state == State.VERIFIED else "",
        )
        entry.refresh_derived(priority_numbers=numbers)
        entry.save()
        EntryPriority.objects.bulk_create(
            [
                EntryPriority(
                    entry=entry,
                    priority=priorities[n],
                    description=f"{name} : {priorities[n].label.lower()}, "
                    "par des actions régulières ouvertes aux familles du quartier.",
                )
                for n in numbers
            ]
        )
        if situation:
            number, body, body_kind, ref_type, ref = situation
            EntrySituation.objects.create(
                entry=entry,
                situation=situations[number],
                trusting_body_name=body,
                trusting_body_kind=body_kind,
                reference_type=ref_type,
                reference_value=ref,
            )
        ContactChannel.objects.create(
            entry=entry, kind=ContactChannel.Kind.EMAIL, value=f"contact+{key}@demo.1000jours.fr", is_public=True
        )
        if key == "pro-sage-femme" and pro:
            entry.members.add(pro)
        if entry.is_published:
            aggregates.apply(entry, +1)
        record(actor=None, obj=entry, action="registry.demo_created", to_state=state)
    _demo_claim(pro, situations[3], now)


def _demo_claim(pro, situation, now):
    """The demo professional's SIRET on her own entry, and her pending claim of the group practice."""
    own = Entry.objects.filter(import_source=SOURCE, external_id="pro-sage-femme").first()
    claimed = Entry.objects.filter(import_source=SOURCE, external_id=CLAIMED).first()
    if pro is None or own is None or claimed is None:
        return
    EntrySituation.objects.get_or_create(
        entry=own,
        reference_type="siret",
        reference_value=PRO_SIRET,
        defaults={
            "situation": situation,
            "trusting_body_name": "CPAM d'Ille-et-Vilaine",
            "trusting_body_kind": "securite_sociale",
        },
    )
    if EntryClaim.objects.filter(entry=claimed, claimant=pro).exists() or claimed.members.exists():
        return
    claim = claims.submit_claim(claimed, pro, "J'exerce dans ce cabinet avec deux consœurs : je souhaite tenir sa fiche à jour.")
    EntryClaim.objects.filter(pk=claim.pk).update(created_at=now - datetime.timedelta(days=2))
