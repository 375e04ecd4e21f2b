"""The kinds of call the engine runs, each one's rules declared once, as data (docs/domain.md §5).

- « Appel à projets régional 1000 premiers jours »: run by the ARS and/or the DREETS of a région
  (their call managers), on the 6 national axes; it rests on its agency's declaration of intent,
  its envelopes start with the campaign's national dotation, and its laureates must reach the
  national minimum endowment by the campaign's national deadlines.
- « AAP territorial formation petite enfance » (issue 20 §7): the territorial strand of the
  training plan, run by the commissaire à la prévention et à la lutte contre la pauvreté of the
  région (or the national team), on the 7 training themes; its own envelope (on the
  commissaire's funding source of the nomenclature, its amount set by the commissaire), without a
  declaration of intent, a national dotation, a national minimum nor the 1000-jours deadlines.

Jury, instruction, decisions, allocations and transmission are the same for every kind: the
engine asks `call.definition` (a `KindDefinition`), never the kind itself.
"""

from dataclasses import dataclass

from django.apps import apps

from tpj.accounts.models import Role

from .common import Agency, CallKind, Strand


@dataclass(frozen=True)
class Reference:
    """The national list a call's axes attach to (each retained axis to at least one item)."""

    model: str  # "app_label.Model" of the nomenclature
    field: str  # the CallAxis many-to-many holding the attachment
    name: str  # how a sentence names the list: « l'un des 6 axes nationaux »
    item: str  # how a page names one item of it: « axe national 2 », or the theme's label

    def items(self):
        """The items offered to a call's axes, in their national order."""
        return apps.get_model(self.model).objects.order_by("number")

    def item_label(self, obj) -> str:
        return self.item.format(number=obj.number, label=obj.label)


NATIONAL_AXES = Reference("nomenclatures.Axis", "national_axes", "des 6 axes nationaux", "axe national {number}")
TRAINING_THEMES = Reference(
    "nomenclatures.TrainingTheme", "training_themes", "des 7 thèmes du plan de formation", "thème « {label} »"
)


@dataclass(frozen=True)
class KindDefinition:
    kind: str
    badge: str  # the short label of the kind on the call pages and the public list
    strands: tuple  # the strands a call of this kind may have (a DB constraint holds it)
    agencies: dict  # {strand: [the agencies whose envelopes the call has]}
    reference: Reference  # what the call's axes attach to
    manager_role: str  # who manages a call of this kind within its région
    agency_bound: bool  # the manager's agency (ARS, DREETS) must take part in the call's strand
    national_team_manages: bool  # the national team creates and manages such calls too
    requires_intent_declaration: bool  # creation rests on the agency's declaration for the campaign
    national_dotation: bool  # each envelope starts with the campaign's national dotation
    national_minimum: bool  # the laureates must reach the campaign's national minimum
    national_calendar: bool  # the calendar is warned against the campaign's national deadlines
    funding_source: str  # slug of the envelopes' funding source ("" = each agency's own)
    title: str  # "{region}" and "{ending}" (the strand's, for the 1000-jours calls)
    reference_prefix: str  # of its applications' references: « AAP2025-53-0001 », « FPE2025-53-0001 »
    managers_name: str  # who manages it, as a sentence says them
    deny_manage: str  # why someone else may not manage nor create such a call


KINDS = {
    CallKind.MILLE_JOURS: KindDefinition(
        kind=CallKind.MILLE_JOURS,
        badge="1000 premiers jours",
        strands=(Strand.ARS, Strand.DREETS, Strand.JOINT),
        agencies={Strand.ARS: [Agency.ARS], Strand.DREETS: [Agency.DREETS], Strand.JOINT: [Agency.ARS, Agency.DREETS]},
        reference=NATIONAL_AXES,
        manager_role=Role.CALL_MANAGER,
        agency_bound=True,
        national_team_manages=False,
        requires_intent_declaration=True,
        national_dotation=True,
        national_minimum=True,
        national_calendar=True,
        funding_source="",
        title="1000 premiers jours en {region} : {ending}",
        reference_prefix="AAP",
        managers_name="les gestionnaires de l'appel (ARS, DREETS)",
        deny_manage="Cet appel à projets relève d'une autre région ou d'une autre agence que la vôtre.",
    ),
    CallKind.TERRITORIAL_TRAINING: KindDefinition(
        kind=CallKind.TERRITORIAL_TRAINING,
        badge="Formation petite enfance",
        strands=(Strand.TERRITORIAL,),
        agencies={Strand.TERRITORIAL: [Agency.CLP]},
        reference=TRAINING_THEMES,
        manager_role=Role.COMMISSAIRE,
        agency_bound=False,
        national_team_manages=True,
        requires_intent_declaration=False,
        national_dotation=False,
        national_minimum=False,
        national_calendar=False,
        funding_source="commissaire-pauvrete",
        title="Formation petite enfance en {region} : appel à projets territorial du plan de formation",
        reference_prefix="FPE",
        managers_name="le commissaire à la prévention et à la lutte contre la pauvreté de la région",
        deny_manage=(
            "Un appel à projets territorial de formation petite enfance est géré par le commissaire à la prévention "
            "et à la lutte contre la pauvreté de sa région (ou par l'équipe nationale), pas par l'ARS ni la DREETS."
        ),
    ),
}

KIND_OF_STRAND = {strand: kind for kind, d in KINDS.items() for strand in d.strands}


def definition_of(kind: str) -> KindDefinition:
    return KINDS[kind]
