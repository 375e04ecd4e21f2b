from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from . import models, serializers


def _read_only(model, serializer, lookup, queryset=None):
    """A public read-only viewset over one nomenclature (reference data, open to everyone)."""
    return type(
        f"{model.__name__}ViewSet",
        (viewsets.ReadOnlyModelViewSet,),
        {
            "queryset": queryset if queryset is not None else model.objects.all(),
            "serializer_class": serializer,
            "lookup_field": lookup,
            "permission_classes": [AllowAny],
        },
    )


PriorityViewSet = _read_only(models.Priority, serializers.PrioritySerializer, "number")
AxisViewSet = _read_only(models.Axis, serializers.AxisSerializer, "number")
EligibilitySituationViewSet = _read_only(models.EligibilitySituation, serializers.EligibilitySituationSerializer, "number")
CategoryViewSet = _read_only(
    models.Category,
    serializers.CategorySerializer,
    "slug",
    models.Category.objects.filter(is_active=True).prefetch_related("suggested_priorities"),
)
EntryKindViewSet = _read_only(models.EntryKind, serializers.EntryKindSerializer, "slug")
FundingSourceViewSet = _read_only(models.FundingSource, serializers.FundingSourceSerializer, "slug")
TrainingThemeViewSet = _read_only(models.TrainingTheme, serializers.TrainingThemeSerializer, "number")
