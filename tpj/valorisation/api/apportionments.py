"""API of the births tables and their largest-remainder apportionments of a national amount."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from tpj.core import policy
from tpj.core.api import bounded_many
from tpj.core.api_permissions import PolicyPermission
from tpj.core.openapi import PUBLIC, document

from .. import services
from ..apportionment import MAX_BIRTHS, MAX_TOTAL, BirthsTableError
from ..models import Apportionment

# A table of the 18 régions, with room for a few wrong lines to be told apart (unknown, twice).
MAX_BIRTHS_LINES = 100

NATIONAL_TEAM = "l'équipe nationale."


class BirthsLineSerializer(serializers.Serializer):
    region = serializers.CharField(help_text="code INSEE de la région")
    births = serializers.IntegerField(
        min_value=0,
        max_value=MAX_BIRTHS,
        help_text="naissances (parturientes)",
        error_messages={
            "min_value": "Le nombre de naissances ne peut pas être négatif.",
            "invalid": "Le nombre de naissances doit être un entier.",
            "max_value": f"Plus de {MAX_BIRTHS} naissances : vérifiez la valeur.",
        },
    )


class ApportionmentRequestSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="année des naissances")
    source = serializers.CharField(max_length=255, help_text="source des chiffres (ex. INSEE, état civil)")
    total = serializers.IntegerField(
        min_value=1,
        max_value=MAX_TOTAL,
        help_text="postes à répartir",
        error_messages={
            "min_value": "Le nombre de postes doit être au moins 1.",
            "max_value": f"Le nombre de postes ne peut dépasser {MAX_TOTAL}.",
        },
    )
    births = bounded_many(BirthsLineSerializer(), MAX_BIRTHS_LINES, help_text="une ligne par région, les 18 régions")

    def validate_births(self, lines):
        names = services.region_names()
        errors, seen = [], set()
        for line in lines:
            code = line["region"]
            if code not in names:
                errors.append(f"Région inconnue : « {code} ».")
            elif code in seen:
                errors.append(f"La région {names[code]} figure deux fois.")
            seen.add(code)
        missing = [names[c] for c in sorted(names, key=names.get) if c not in seen]
        if missing:
            errors.append(f"Région(s) manquante(s) : {', '.join(missing)}.")
        if not errors and sum(line["births"] for line in lines) == 0:
            errors.append("Le total des naissances est nul : impossible de répartir les postes.")
        if errors:
            raise serializers.ValidationError(errors)
        return {line["region"]: line["births"] for line in lines}


class AllocationSerializer(serializers.Serializer):
    region = serializers.CharField(source="region_id", help_text="code INSEE de la région")
    region_name = serializers.CharField(source="region.name", help_text="nom de la région")
    births = serializers.IntegerField(help_text="naissances de la région")
    quota = serializers.DecimalField(max_digits=12, decimal_places=6, help_text="part exacte des postes (quotient)")
    whole = serializers.IntegerField(help_text="partie entière du quotient")
    remainder_rank = serializers.IntegerField(help_text="rang du reste (1 : le plus fort)")
    seats = serializers.IntegerField(help_text="postes attribués")


class ApportionmentSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="births_table.year")
    source = serializers.CharField(source="births_table.source")
    measure = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    allocations = AllocationSerializer(many=True, read_only=True)

    class Meta:
        model = Apportionment
        fields = ["id", "measure", "year", "source", "total", "method", "created_at", "allocations"]


@extend_schema(tags=["Répartitions"])
@extend_schema_view(
    list=document(
        "Lister les répartitions",
        "Les répartitions calculées, de la plus récente à la plus ancienne, avec leurs postes par région.",
        access=PUBLIC,
    ),
    retrieve=document("Lire une répartition", "Une répartition et ses postes par région.", access=PUBLIC),
    create=document(
        "Répartir des postes selon les naissances",
        "Importe un tableau des naissances (une ligne par région, les 18 régions) et répartit `total` postes entre "
        "les régions par la méthode des plus forts restes. Chaque refus du tableau est dit en français, ligne par ligne.",
        access=NATIONAL_TEAM,
        request=ApportionmentRequestSerializer,
        responses={201: ApportionmentSerializer},
    ),
)
class ApportionmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = ApportionmentSerializer
    permission_classes = [PolicyPermission]
    policy_actions = {
        "list": "valorisation.view_public",
        "retrieve": "valorisation.view_public",
        "create": "valorisation.apportion",
    }
    queryset = (
        Apportionment.objects.select_related("births_table", "measure")
        .prefetch_related("allocations__region")
        .order_by("-created_at", "-id")
    )
    path_parameters = {"id": "Numéro de la répartition"}

    def create(self, request, *args, **kwargs):
        payload = ApportionmentRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            table = services.import_births(user=request.user, year=data["year"], source=data["source"], births=data["births"])
            result = services.apportion(user=request.user, table=table, total=data["total"])
        except BirthsTableError as error:
            raise serializers.ValidationError({"births": error.errors}) from None
        except ValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        except policy.PermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        result = self.get_queryset().get(pk=result.pk)
        return Response(ApportionmentSerializer(result).data, status=status.HTTP_201_CREATED)
