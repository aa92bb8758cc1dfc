"""Shapes shared by every resource: references to other objects, by id and name."""

from __future__ import annotations

from rest_framework import serializers


class Ref(serializers.Serializer):
    """Another object, by id and the name people know it by."""

    id = serializers.IntegerField()
    name = serializers.CharField()


class UnitRef(Ref):
    def to_representation(self, unit):
        return {"id": unit.pk, "name": unit.name}


class PersonRef(Ref):
    def to_representation(self, person):
        return {"id": person.pk, "name": person.full_name}


class PeriodRef(Ref):
    def to_representation(self, period):
        return {"id": period.pk, "name": period.name}


class AwardRef(Ref):
    code = serializers.CharField()

    def to_representation(self, award):
        return {"id": award.pk, "code": award.code, "name": str(award)}


class Version(serializers.Serializer):
    """What every write to one dossier carries: the version the caller saw (or send If-Match)."""

    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)
