"""References to other records: an id and a name, nothing personal."""


from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# ------------------------------------------------------------------------------------------- references


class RefSerializer(serializers.Serializer):
    """Another record by id and name (a ward, an agency, a category, a kind …)."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class UserRefSerializer(serializers.Serializer):
    """A member of staff (never a resident)."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)


class CaseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True, help_text=_("事例番号（例: R2-0001）"))


class MemberRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


