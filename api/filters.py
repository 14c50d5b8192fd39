"""Query filters of the API lists (django-filter). They narrow a list that is already scoped to the user
(`.for_user(user)` in the selectors); they never widen it. The pages' FilterSets are reused where a page
lists the same thing, so a filter means the same on the page and in the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from agencies.models import Ward
from cases.filters import CaseFilter
from cases.models import CaseIssue, Consultation, ConsultationMethod, Household, IssueCategory
from cases.selectors import household_search
from core.wareki import fiscal_year_bounds
from meetings.filters import ActivityFilter, MeetingFilter
from referrals.models import Referral, ReferralKind, ReferralStatus

FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR = 2000, 2100


class ScopedFilterBackend(DjangoFilterBackend):
    """Hands the user to the FilterSet: its choices (wards, categories, kinds) are the user's municipality's."""

    def get_filterset_kwargs(self, request, queryset, view):
        return {**super().get_filterset_kwargs(request, queryset, view), "user": request.user}


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """An exact integer (an id, a year): "1.5", "1e3" and the like are refused rather than rounded."""

    field_class = forms.IntegerField


@extend_schema_field(OpenApiTypes.INT)
class FiscalYearFilter(django_filters.Filter):
    """年度 (1 April – 31 March) of a date field: fiscal_year=2020 is 2020-04-01 … 2021-03-31."""

    field_class = forms.IntegerField

    def __init__(self, *, field_name: str, **kwargs):
        kwargs.setdefault("label", _("年度（西暦。2020 は2020年4月1日〜2021年3月31日）"))
        super().__init__(field_name=field_name, min_value=FIRST_FISCAL_YEAR, max_value=LAST_FISCAL_YEAR, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        start, end = fiscal_year_bounds(value)
        return qs.filter(**{f"{self.field_name}__gte": start, f"{self.field_name}__lte": end})


def _boolean(label, **kwargs):
    return django_filters.rest_framework.BooleanFilter(label=label, **kwargs)


class UserFilterSet(django_filters.FilterSet):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if "ward" in self.filters:
            self.filters["ward"].queryset = Ward.objects.filter(municipality_id=user.municipality_id)


class HouseholdFilter(UserFilterSet):
    q = django_filters.CharFilter(label=_("氏名・ふりがな（どの表記でも）・電話番号・住所・事例番号"), max_length=100,
                                  method="filter_q")
    ward = django_filters.ModelChoiceFilter(label=_("区・圏域"), queryset=Ward.objects.none())

    class Meta:
        model = Household
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(pk__in=household_search(user=self.user, query=value).values("pk"))


class CaseApiFilter(CaseFilter):
    # The page's filter, typed for the schema: the id of an issue category (課題の種類).
    issue = extend_schema_field(OpenApiTypes.INT)(django_filters.ModelChoiceFilter(
        label=_("課題の種類"), queryset=IssueCategory.objects.none(), method="filter_issue"))
    fiscal_year = IntegerFilter(label=_("受付年度（西暦）"), min_value=FIRST_FISCAL_YEAR, max_value=LAST_FISCAL_YEAR)

    class Meta(CaseFilter.Meta):
        pass


class IssueFilter(UserFilterSet):
    case = IntegerFilter(label=_("事例のID"), min_value=1)
    ward = django_filters.ModelChoiceFilter(label=_("区・圏域"), field_name="case__ward", queryset=Ward.objects.none())
    category = django_filters.ModelChoiceFilter(label=_("課題の種類"), queryset=IssueCategory.objects.none())
    open = _boolean(_("解消していない課題だけ（true）／解消した課題だけ（false）"), field_name="resolved_on",
                    lookup_expr="isnull")
    suspected = _boolean(_("疑い"))
    noted_from = django_filters.DateFilter(label=_("把握日（から）"), field_name="noted_on", lookup_expr="gte")
    noted_to = django_filters.DateFilter(label=_("把握日（まで）"), field_name="noted_on", lookup_expr="lte")

    class Meta:
        model = CaseIssue
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.filters["category"].queryset = IssueCategory.objects.for_municipality(user.municipality_id)


class ConsultationFilter(UserFilterSet):
    case = IntegerFilter(label=_("事例のID"), min_value=1)
    ward = django_filters.ModelChoiceFilter(label=_("区・圏域"), field_name="case__ward", queryset=Ward.objects.none())
    method = django_filters.ChoiceFilter(label=_("方法"), choices=ConsultationMethod.choices)
    staff = IntegerFilter(label=_("対応者（利用者のID）"), min_value=1)
    held_from = django_filters.DateFilter(label=_("相談日（から）"), field_name="held_at", lookup_expr="date__gte")
    held_to = django_filters.DateFilter(label=_("相談日（まで）"), field_name="held_at", lookup_expr="date__lte")
    fiscal_year = FiscalYearFilter(field_name="held_at__date")

    class Meta:
        model = Consultation
        fields = []


class MeetingApiFilter(MeetingFilter):
    fiscal_year = FiscalYearFilter(field_name="held_on")

    class Meta(MeetingFilter.Meta):
        pass


class ActivityApiFilter(ActivityFilter):
    fiscal_year = FiscalYearFilter(field_name="held_on")

    class Meta(ActivityFilter.Meta):
        pass


class ReferralFilter(UserFilterSet):
    box = django_filters.ChoiceFilter(
        label=_("受信（自分の機関・区役所あて）／送信（自分の機関・区役所から）"),
        choices=[("incoming", _("受信")), ("sent", _("送信"))], method="filter_box",
    )
    status = django_filters.ChoiceFilter(label=_("状況"), choices=ReferralStatus.choices)
    kind = django_filters.ModelChoiceFilter(label=_("種別"), queryset=ReferralKind.objects.none())
    case = IntegerFilter(label=_("事例のID"), min_value=1)
    overdue = _boolean(_("回答期限を過ぎた回答待ちだけ"), method="filter_overdue")
    sent_from = django_filters.DateFilter(label=_("依頼日（から）"), field_name="sent_on", lookup_expr="gte")
    sent_to = django_filters.DateFilter(label=_("依頼日（まで）"), field_name="sent_on", lookup_expr="lte")
    fiscal_year = FiscalYearFilter(field_name="sent_on")

    class Meta:
        model = Referral
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.filters["kind"].queryset = ReferralKind.objects.for_municipality(user.municipality_id)

    def filter_box(self, queryset, name, value):
        return queryset.addressed_to(self.user) if value == "incoming" else queryset.sent_by_office_of(self.user)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Q(status=ReferralStatus.SENT, due_on__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
