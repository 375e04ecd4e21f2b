from rest_framework import serializers

from .models import Axis, Category, EligibilitySituation, EntryKind, FundingSource, Priority, TrainingTheme


class PrioritySerializer(serializers.ModelSerializer):
    class Meta:
        model = Priority
        fields = ["number", "label", "short_label", "description"]


class AxisSerializer(serializers.ModelSerializer):
    class Meta:
        model = Axis
        fields = ["number", "label"]


class EligibilitySituationSerializer(serializers.ModelSerializer):
    class Meta:
        model = EligibilitySituation
        fields = ["number", "label", "examples"]


class CategorySerializer(serializers.ModelSerializer):
    suggested_priorities = serializers.SlugRelatedField(many=True, read_only=True, slug_field="number")

    class Meta:
        model = Category
        fields = ["slug", "label", "suggested_priorities", "parent_orientation"]


class EntryKindSerializer(serializers.ModelSerializer):
    class Meta:
        model = EntryKind
        fields = ["slug", "label"]


class FundingSourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = FundingSource
        fields = ["slug", "label", "agency"]


class TrainingThemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrainingTheme
        fields = ["number", "label"]
