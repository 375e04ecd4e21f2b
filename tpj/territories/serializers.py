from rest_framework import serializers

from .models import Commune, Departement, Region


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "chef_lieu", "zone"]


class DepartementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Departement
        fields = ["code", "name", "region", "chef_lieu", "zone"]


class CommuneSerializer(serializers.ModelSerializer):
    postal_codes = serializers.ListField(source="postal_code_list", child=serializers.CharField(), read_only=True)

    class Meta:
        model = Commune
        fields = ["insee_code", "name", "departement", "region", "postal_codes", "population", "latitude", "longitude"]
