"""The bureau's reports as JSON: aggregates only, never a name. The same computations as the report pages.

GET /api/v1/reports/annual/?fy=2020&compare=2019[&ward=北区]  the report JSON of DOMAIN.md §6
GET /api/v1/reports/activities/?start=2022-04-01&end=2023-01-31[&ward=北区]  seed 001's table and 003's indicators
GET /api/v1/reports/referrals/?fy=2022[&ward=北区]  つなぎの集計
"""

import datetime as dt
from dataclasses import asdict

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Ward
from audit.models import Action
from audit.services import audit_record
from core.replica import replica_reads
from reports.activities import activity_report
from reports.annual import YearPair, annual_report
from reports.indicators import evaluation_indicators
from reports.layouts import layout_for
from reports.referrals import referral_report

from .permissions import SeesAggregates

AGGREGATES = [permissions.IsAuthenticated, SeesAggregates]


# ------------------------------------------------------------------------------------------ the queries


class AnnualReportQuerySerializer(serializers.Serializer):
    fy = serializers.IntegerField(min_value=2000, max_value=2100, help_text=gettext_lazy("集計する年度（西暦）"), error_messages={
        "required": gettext_lazy("年度（fy）を指定してください。"), "invalid": gettext_lazy("年度（fy）は西暦の数字で指定してください。"),
        "min_value": gettext_lazy("年度（fy）は2000以降を指定してください。"), "max_value": gettext_lazy("年度（fy）は2100以前を指定してください。")})
    compare = serializers.IntegerField(
        min_value=2000, max_value=2100, required=False, help_text=gettext_lazy("比較する年度（省略すると前年度）"), error_messages={
            "invalid": gettext_lazy("比較する年度（compare）は西暦の数字で指定してください。"),
            "min_value": gettext_lazy("比較する年度（compare）は2000以降を指定してください。"),
            "max_value": gettext_lazy("比較する年度（compare）は2100以前を指定してください。")})
    ward = serializers.CharField(required=False, max_length=50, help_text=gettext_lazy("区・圏域の名前またはID（省略すると全区）"))


class ReferralReportQuerySerializer(serializers.Serializer):
    fy = serializers.IntegerField(min_value=2000, max_value=2100, help_text=gettext_lazy("集計する年度（西暦）"))
    ward = serializers.CharField(required=False, max_length=50, help_text=gettext_lazy("区・圏域の名前またはID（省略すると全区）"))


class PeriodReportQuerySerializer(serializers.Serializer):
    start = serializers.DateField(help_text=gettext_lazy("期間（から）"))
    end = serializers.DateField(help_text=gettext_lazy("期間（まで）"))
    ward = serializers.CharField(required=False, max_length=50, help_text=gettext_lazy("区・圏域の名前またはID（省略すると全区）"))

    def validate(self, attrs):
        start, end = attrs["start"], attrs["end"]
        if not (dt.date(2000, 1, 1) <= start <= dt.date(2100, 12, 31) and dt.date(2000, 1, 1) <= end <= dt.date(2100, 12, 31)):
            raise serializers.ValidationError(_("期間は2000年から2100年までの日付で指定してください。"))
        if start > end:
            raise serializers.ValidationError({"end": [_("期間の終わりは、始まり以降の日付にしてください。")]})
        if end - start > dt.timedelta(days=366 * 5):
            raise serializers.ValidationError(_("期間は5年以内にしてください。"))
        return attrs


def _query(serializer_class, request) -> dict:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


def _ward(data: dict, municipality) -> Ward | None:
    """The ward named by name or id, in the user's municipality; None for all wards."""
    value = data.get("ward", "").strip()
    if not value:
        return None
    wards = Ward.objects.filter(municipality=municipality)
    ward = wards.filter(pk=int(value)).first() if value.isascii() and value.isdigit() else wards.filter(name=value).first()
    if ward is None:
        raise serializers.ValidationError({"ward": [_("「%(ward)s」という区・圏域はありません。") % {"ward": value}]})
    return ward


def _audit(request, report: str) -> None:
    audit_record(action=Action.EXPORT, request=request, detail={
        "report": report, "format": "json", **{key: value[:100] for key, value in request.query_params.items()}})


@extend_schema(description=gettext_lazy("つながる場の年次集計（開催根拠・SV派遣・相談のあった機関・参加機関・課題の5つの表）。"))
class AnnualReportView(APIView):
    """The yearly tables of つながる場 (DOMAIN.md §6)."""

    permission_classes = AGGREGATES

    @extend_schema(parameters=[AnnualReportQuerySerializer], responses={200: OpenApiTypes.OBJECT})
    @replica_reads()  # the figures from the read replica when there is one (core.replica)
    def get(self, request):
        municipality = request.user.municipality
        data = _query(AnnualReportQuerySerializer, request)
        try:
            years = YearPair.of(data["fy"], data.get("compare"))
        except DjangoValidationError as error:
            raise serializers.ValidationError({"compare": error.messages}) from None
        report = annual_report(municipality=municipality, fiscal_year=years.fiscal_year, compare=years.compare,
                               ward=_ward(data, municipality), layout=layout_for(municipality))
        _audit(request, "annual")
        return Response(report.to_json())


@extend_schema(description=gettext_lazy("活動と相談の集計（seed 001 の表、昨年同期との比較）と、データから計算できる評価指標（003 第4章）。"))
class ActivityReportView(APIView):
    """Seed 001's activity table and seed 003's computable indicators for a period."""

    permission_classes = AGGREGATES

    @extend_schema(parameters=[PeriodReportQuerySerializer], responses={200: OpenApiTypes.OBJECT})
    @replica_reads()  # the figures from the read replica when there is one (core.replica)
    def get(self, request):
        municipality = request.user.municipality
        data = _query(PeriodReportQuerySerializer, request)
        ward = _ward(data, municipality)
        report = activity_report(municipality=municipality, start=data["start"], end=data["end"], ward=ward)
        indicators = evaluation_indicators(municipality=municipality, start=data["start"], end=data["end"], ward=ward)
        _audit(request, "activities")
        return Response({**report.to_json(), "indicators": [asdict(indicator) for indicator in indicators]})


@extend_schema(description=gettext_lazy("つなぎの集計（依頼先の機関種別別・区別の件数、回答までの日数の中央値、辞退の理由別の件数）。"))
class ReferralReportView(APIView):
    """Referral figures for a fiscal year."""

    permission_classes = AGGREGATES

    @extend_schema(parameters=[ReferralReportQuerySerializer], responses={200: OpenApiTypes.OBJECT})
    @replica_reads()  # the figures from the read replica when there is one (core.replica)
    def get(self, request):
        municipality = request.user.municipality
        data = _query(ReferralReportQuerySerializer, request)
        report = referral_report(municipality=municipality, fiscal_year=data["fy"], ward=_ward(data, municipality))
        _audit(request, "referrals")
        return Response(report.to_json())
