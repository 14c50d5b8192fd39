"""GET /api/v1/reports/annual/?fy=2020&compare=2019[&ward=北区]: the report JSON of DOMAIN.md §6."""

from django.utils.translation import gettext as _
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from agencies.models import Ward
from audit.models import Action
from audit.services import audit_record

from .annual import annual_report
from .layouts import layout_for


class SeesAggregates(permissions.BasePermission):
    message = "集計を見る権限がありません。"

    def has_permission(self, request, view):
        return request.user.is_authenticated and request.user.role in (Role.BUREAU, Role.ADMINISTRATOR)


class AnnualQuery(serializers.Serializer):
    fy = serializers.IntegerField(min_value=2000, max_value=2100, error_messages={
        "required": "年度（fy）を指定してください。", "invalid": "年度（fy）は西暦の数字で指定してください。",
        "min_value": "年度（fy）は2000以降を指定してください。", "max_value": "年度（fy）は2100以前を指定してください。"})
    compare = serializers.IntegerField(min_value=2000, max_value=2100, required=False, error_messages={
        "invalid": "比較する年度（compare）は西暦の数字で指定してください。",
        "min_value": "比較する年度（compare）は2000以降を指定してください。",
        "max_value": "比較する年度（compare）は2100以前を指定してください。"})
    ward = serializers.CharField(required=False, max_length=50)

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality

    def validate(self, attrs):
        if attrs.get("compare") is not None and attrs["compare"] == attrs.get("fy"):
            raise serializers.ValidationError({"compare": "比較する年度（compare）には、fy と別の年度を指定してください。"})
        return attrs

    def validate_ward(self, value):
        wards = Ward.objects.filter(municipality=self.municipality)
        ward = wards.filter(pk=value).first() if value.isdigit() else wards.filter(name=value.strip()).first()
        if ward is None:
            raise serializers.ValidationError(_("「%(ward)s」という区・圏域はありません。") % {"ward": value})
        return ward


class AnnualReportView(APIView):
    permission_classes = [SeesAggregates]

    def get(self, request):
        municipality = request.user.municipality
        query = AnnualQuery(data=request.query_params, municipality=municipality)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        report = annual_report(municipality=municipality, fiscal_year=data["fy"], compare=data.get("compare"),
                               ward=data.get("ward"), layout=layout_for(municipality))
        audit_record(action=Action.EXPORT, request=request, detail={"report": "annual", "format": "json",
                                                                   **{k: str(v) for k, v in request.query_params.items()}})
        return Response(report)
