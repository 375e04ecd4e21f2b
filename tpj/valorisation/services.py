"""Multi-step operations of Module 3: deployments, births import, apportionment."""

from decimal import ROUND_HALF_EVEN, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from tpj.audit.services import record
from tpj.core import policy
from tpj.core.csv_reader import decode
from tpj.territories.models import Region

from .apportionment import ApportionmentError, BirthsTableError, largest_remainder, parse_births_csv
from .models import Allocation, Apportionment, BirthsCount, BirthsTable, Deployment, Highlight, Measure
from .projects import public_projects

MAX_UPLOAD_BYTES = 200_000  # 18 lines of CSV weigh a few hundred bytes


def region_names() -> dict[str, str]:
    """{région code: name} of every région."""
    return dict(Region.objects.values_list("code", "name"))


def record_deployment(*, user, measure: Measure, data: dict) -> Deployment:
    """Validate and save one deployment of `measure` (région checked against the user's scope)."""
    deployment = Deployment(measure=measure, created_by=user, **data)
    policy.require(user, "valorisation.record_deployment", deployment)
    deployment.full_clean()
    deployment.save()
    record(
        actor=user,
        obj=deployment,
        action="valorisation.deployment.create",
        after={
            "measure": measure.slug,
            "region": deployment.region_id,
            "quantity": deployment.quantity,
            "amount": str(deployment.amount),
        },
    )
    return deployment


def read_births_upload(uploaded) -> dict[str, int]:
    """Decode (UTF-8 or Latin-1) and parse an uploaded births CSV; raise BirthsTableError."""
    if uploaded.size > MAX_UPLOAD_BYTES:
        raise BirthsTableError([f"Le fichier est trop volumineux ({uploaded.size} octets) : un tableau de 18 régions suffit."])
    return parse_births_csv(decode(uploaded.read()), region_names())


@transaction.atomic
def import_births(*, user, year: int, source: str, births: dict[str, int], filename: str = "") -> BirthsTable:
    """Store a complete births table (one count per région). Nothing is saved if it is refused."""
    policy.require(user, "valorisation.apportion")
    names = region_names()
    problems = [f"Région inconnue : {code}." for code in births if code not in names]
    problems += [f"Région manquante : {names[code]}." for code in names if code not in births]
    if problems:
        raise BirthsTableError(problems)
    table = BirthsTable.objects.create(year=year, source=source, filename=filename, imported_by=user)
    BirthsCount.objects.bulk_create(BirthsCount(table=table, region_id=code, births=count) for code, count in births.items())
    record(actor=user, obj=table, action="valorisation.births.import", after={"year": year, "total": sum(births.values())})
    return table


def staff_measure() -> Measure:
    """The measure whose posts are apportioned (maternity psycho-social staffs)."""
    return Measure.objects.filter(apportioned=True).order_by("position").first()


@transaction.atomic
def apportion(*, user, table: BirthsTable, total: int, measure: Measure | None = None) -> Apportionment:
    """Apportion `total` posts between régions by the largest-remainder method and store it.

    Recomputing with the same table and total returns the stored result (identical by
    construction); another total or another year's table creates a new apportionment.
    Raises ValidationError (French) for a total outside the sane range.
    """
    policy.require(user, "valorisation.apportion")
    measure = measure or staff_measure()
    try:
        shares = largest_remainder(table.as_mapping(), total)
    except ApportionmentError as error:
        raise ValidationError({"total": str(error)}) from None
    existing = Apportionment.objects.filter(births_table=table, total=total, measure=measure).first()
    if existing:
        return existing
    result = Apportionment.objects.create(measure=measure, births_table=table, total=total, created_by=user)
    Allocation.objects.bulk_create(
        Allocation(
            apportionment=result,
            region_id=s.code,
            births=s.births,
            whole=s.whole,
            seats=s.seats,
            remainder_rank=s.remainder_rank,
            quota=(Decimal(s.quota.numerator) / Decimal(s.quota.denominator)).quantize(Decimal("0.000001"), ROUND_HALF_EVEN),
        )
        for s in shares
    )
    record(
        actor=user,
        obj=result,
        action="valorisation.apportionment.compute",
        after={"total": total, "year": table.year, "seats": {s.code: s.seats for s in shares}},
    )
    return result


@transaction.atomic
def choose_highlight(*, user, application, reason: str = "") -> Highlight:
    """Make `application` its région's "coup de cœur" for its campaign year (replacing the previous one).

    Refused (policy.PermissionDenied, French) for a project of another région than the
    user's, and (ValidationError) for a project that is not public yet.
    """
    policy.require(user, "valorisation.choose_highlight", application)
    if not public_projects().filter(pk=application.pk).exists():
        raise ValidationError("Seul un projet lauréat dont la liste a été transmise peut être choisi comme coup de cœur.")
    call = application.call
    previous = Highlight.objects.filter(region_id=call.region_id, year=call.campaign.year).first()
    highlight, _ = Highlight.objects.update_or_create(
        region_id=call.region_id,
        year=call.campaign.year,
        defaults={"application": application, "reason": (reason or "").strip()[:1000], "chosen_by": user},
    )
    record(
        actor=user,
        obj=highlight,
        action="valorisation.highlight.choose",
        before={"application": previous.application_id} if previous else None,
        after={"application": application.pk},
    )
    return highlight
