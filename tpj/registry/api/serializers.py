"""Serializers of the entries API: what is read (public or member view) and what is written."""

import uuid

from rest_framework import serializers

from tpj.core.api import ChoiceField, bounded_many
from tpj.core.plain_rows import shaped_rows
from tpj.nomenclatures.models import Category, EligibilitySituation, EntryKind, Priority
from tpj.territories.models import Commune

from .. import logo
from ..identifiers import check_contact, check_reference
from ..limits import MAX_CONTACTS, MAX_PRIORITIES, MAX_SITUATIONS
from ..models import ContactChannel, Entry, EntryPriority, ReferenceType, TrustingBodyKind
from ..services.entries import EntryData


class PriorityOutSerializer(serializers.Serializer):
    number = serializers.IntegerField(source="priority.number")
    label = serializers.CharField(source="priority.label")
    short_label = serializers.CharField(source="priority.short_label")
    description = serializers.CharField()


class EntrySerializer(serializers.Serializer):
    """The public face of an entry: consented contacts only."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField(source="kind.slug")
    category = serializers.CharField(source="category.slug")
    category_label = serializers.CharField(source="category.label")
    address = serializers.CharField()
    postal_code = serializers.CharField()
    commune = serializers.CharField(source="commune_id", allow_null=True)
    commune_name = serializers.SerializerMethodField()
    departement = serializers.CharField(source="departement_id", allow_null=True)
    region = serializers.CharField(source="region_id", allow_null=True)
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    geocoding_precision = serializers.CharField()
    website = serializers.CharField()
    state = serializers.CharField()
    priorities = PriorityOutSerializer(many=True)
    contacts = serializers.SerializerMethodField()
    verification_url = serializers.SerializerMethodField()

    def get_commune_name(self, entry) -> str:
        return entry.commune.name if entry.commune_id else ""

    def get_contacts(self, entry) -> list[dict]:
        private = self.context.get("show_private", False)
        return [{"kind": c.kind, "value": c.value} for c in entry.contacts.all() if private or c.is_public]

    def get_verification_url(self, entry) -> str:
        return logo.verification_url(entry) if entry.revision_of_id is None else ""


_PUBLIC_COLUMNS = (
    "id",
    "name",
    "kind__slug",
    "category__slug",
    "category__label",
    "address",
    "postal_code",
    "commune_id",
    "commune__name",
    "departement_id",
    "region_id",
    "latitude",
    "longitude",
    "geocoding_precision",
    "website",
    "state",
    "public_id",
    "revision_of_id",
)


def public_entries(ids: list[int]) -> list[dict]:
    """What `EntrySerializer` gives an anonymous reader for the entries `ids`, in that order,
    read as plain values in three queries (entries, priorities, public contacts), each built
    once per page length (`shaped_rows`), instead of model instances: the search API's
    pages. `tests/registry/test_public_read_queries.py` holds both to the same output."""
    priorities, contacts = {pk: [] for pk in ids}, {pk: [] for pk in ids}
    for entry_id, number, label, short_label, description in shaped_rows(
        ("public entries: priorities", len(ids)),
        lambda *ids: EntryPriority.objects.filter(entry_id__in=ids).values_list(
            "entry_id", "priority__number", "priority__label", "priority__short_label", "description"
        ),
        tuple(ids),
    ):
        priorities[entry_id].append({"number": number, "label": label, "short_label": short_label, "description": description})
    for entry_id, kind, value in shaped_rows(
        ("public entries: contacts", len(ids)),
        lambda *ids: ContactChannel.objects.filter(entry_id__in=ids, is_public=True).values_list("entry_id", "kind", "value"),
        tuple(ids),
    ):
        contacts[entry_id].append({"kind": kind, "value": value})
    verification_url = logo.verification_urls()
    rows = {
        row[0]: row
        for row in shaped_rows(
            ("public entries", len(ids)),
            lambda *ids: Entry.objects.filter(pk__in=ids).order_by().values_list(*_PUBLIC_COLUMNS),
            tuple(ids),
        )
    }
    result = []
    for pk in ids:
        if pk not in rows:
            continue
        _, name, kind, category, category_label, address, postal_code, commune, commune_name, departement, region = rows[pk][:11]
        latitude, longitude, precision, website, state, public_id, revision_of_id = rows[pk][11:]
        result.append(
            {
                "id": pk,
                "name": name,
                "kind": kind,
                "category": category,
                "category_label": category_label,
                "address": address,
                "postal_code": postal_code,
                "commune": commune,
                "commune_name": commune_name or "",
                "departement": departement,
                "region": region,
                "latitude": latitude,
                "longitude": longitude,
                "geocoding_precision": precision,
                "website": website,
                "state": state,
                "priorities": priorities[pk],
                "contacts": contacts[pk],
                # SQLite's driver returns the UUID column as its 32 hex digits, PostgreSQL's as a UUID.
                "verification_url": "" if revision_of_id else verification_url(uuid.UUID(str(public_id))),
            }
        )
    return result


class PriorityInSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="Numéro de la priorité (1 à 10)")
    description = serializers.CharField(
        max_length=2000, allow_blank=True, required=False, default="", help_text="Ce que fait l'acteur pour cette priorité"
    )


class SituationInSerializer(serializers.Serializer):
    situation = serializers.IntegerField(help_text="Numéro de la situation d'éligibilité (1 à 4)")
    trusting_body_name = serializers.CharField(max_length=200, help_text="Nom de l'organisme public qui fait confiance")
    trusting_body_kind = ChoiceField(choices=TrustingBodyKind.choices, help_text="Nature de cet organisme")
    reference_type = ChoiceField(choices=ReferenceType.choices, help_text="Nature de la référence qui le prouve")
    reference_value = serializers.CharField(max_length=100, help_text="Valeur de la référence (numéro, identifiant…)")

    def validate_situation(self, value):
        if not EligibilitySituation.objects.filter(number=value).exists():
            raise serializers.ValidationError("Situation d'éligibilité inconnue (1 à 4).")
        return value

    def validate(self, attrs):
        error = check_reference(attrs["reference_type"], attrs["reference_value"])
        if error:
            raise serializers.ValidationError({"reference_value": error})
        return attrs


class ContactInSerializer(serializers.Serializer):
    kind = ChoiceField(choices=ContactChannel.Kind.choices, help_text="Type de contact")
    value = serializers.CharField(max_length=200, help_text="Téléphone, adresse e-mail ou autre coordonnée")
    is_public = serializers.BooleanField(default=False, help_text="Publier ce contact sur la fiche (non par défaut)")

    def validate(self, attrs):
        error = check_contact(attrs["kind"], attrs["value"])
        if error:
            raise serializers.ValidationError({"value": error})
        return attrs


class EntryWriteSerializer(serializers.Serializer):
    client_token = serializers.UUIDField(
        required=False,
        help_text="Jeton de création choisi par le client (UUID) : la même création envoyée deux fois (nouvel essai "
        "après une coupure) renvoie la fiche déjà créée au lieu d'un doublon",
    )
    kind = serializers.SlugRelatedField(
        slug_field="slug", queryset=EntryKind.objects.all(), help_text="Type de fiche : independant ou etablissement"
    )
    category = serializers.SlugRelatedField(
        slug_field="slug", queryset=Category.objects.filter(is_active=True), help_text="Code de la catégorie (ex. creche)"
    )
    name = serializers.CharField(max_length=200, help_text="Nom de l'activité ou de l'établissement")
    address = serializers.CharField(max_length=255, allow_blank=True, required=False, default="", help_text="Adresse postale")
    postal_code = serializers.RegexField(
        r"^\d{5}$",
        required=False,
        allow_blank=True,
        default="",
        error_messages={"invalid": "Le code postal comporte 5 chiffres."},
        help_text="Code postal (5 chiffres), cohérent avec la commune",
    )
    commune = serializers.CharField(required=False, allow_blank=True, default="", help_text="Code INSEE de la commune")
    website = serializers.URLField(max_length=300, allow_blank=True, required=False, default="", help_text="Site web")
    priorities = bounded_many(
        PriorityInSerializer(), MAX_PRIORITIES, required=False, help_text="Priorités déclarées (remplacent les précédentes)"
    )
    situations = bounded_many(
        SituationInSerializer(),
        MAX_SITUATIONS,
        required=False,
        help_text="Situations d'éligibilité et leurs preuves (remplacent les précédentes)",
    )
    contacts = bounded_many(ContactInSerializer(), MAX_CONTACTS, required=False, help_text="Contacts (remplacent les précédents)")

    def validate_priorities(self, value):
        numbers = set(Priority.objects.values_list("number", flat=True))
        for item in value:
            if item["number"] not in numbers:
                raise serializers.ValidationError(f"Priorité inconnue : {item['number']} (1 à 10).")
        return value

    def validate(self, attrs):
        code = attrs.get("commune")
        commune = None
        if code:
            commune = Commune.objects.filter(insee_code=code).first()
            if commune is None:
                raise serializers.ValidationError({"commune": f"Commune inconnue : « {code[:10]} » (code INSEE attendu)."})
            if attrs.get("postal_code") and not commune.has_postal_code(attrs["postal_code"]):
                raise serializers.ValidationError(
                    {
                        "postal_code": (
                            f"Le code postal {attrs['postal_code']} ne correspond pas à la commune {commune.name} "
                            f"(codes postaux : {', '.join(commune.postal_code_list)})."
                        )
                    }
                )
        attrs["commune_obj"] = commune
        return attrs

    def to_entry_data(self, partial_of=None) -> EntryData:
        """`partial_of` set: only the keys the client sent (`self.provided`) change."""
        data = self.validated_data
        provided = getattr(self, "provided", None) or set(self.initial_data)
        fields = {}
        mapping = {
            "kind": lambda v: ("kind_id", v.pk),
            "category": lambda v: ("category_id", v.pk),
            "name": lambda v: ("name", v.strip()),
            "address": lambda v: ("address", v.strip()),
            "postal_code": lambda v: ("postal_code", v),
            "website": lambda v: ("website", v),
        }
        for key, convert in mapping.items():
            if key in provided or partial_of is None:
                name, value = convert(data[key])
                fields[name] = value
        if "commune" in provided or partial_of is None:
            fields["commune_id"] = data["commune_obj"].pk if data.get("commune_obj") else None
        return EntryData(
            fields=fields,
            priorities={p["number"]: p.get("description", "") for p in data["priorities"]} if "priorities" in provided else None,
            situations=[dict(s) for s in data["situations"]] if "situations" in provided else None,
            contacts=[dict(c) for c in data["contacts"]] if "contacts" in provided else None,
        )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="Motif, montré aux membres de la fiche"
    )
