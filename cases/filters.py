import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from agencies.models import Ward
from core.forms import DateFilter

from .models import Case, CaseIssue, CaseStatus, IssueCategory, RoleAssignment

OPEN, ALL = "open", "all"


class CaseFilter(django_filters.FilterSet):
    ward = django_filters.ModelChoiceFilter(label=_("区・圏域"), queryset=Ward.objects.none(), empty_label=_("すべて"))
    # The list opens on the cases still being worked on; 「すべて」 is a choice of its own, so it can be asked for.
    status = django_filters.ChoiceFilter(
        label=_("状況"), method="filter_status", empty_label=None,
        choices=[(OPEN, _("対応中（終結・中断を除く）")), (ALL, _("すべて")), *CaseStatus.choices],
    )
    issue = django_filters.ModelChoiceFilter(
        label=_("課題"), queryset=IssueCategory.objects.none(), method="filter_issue", empty_label=_("すべて")
    )
    lead = django_filters.ModelChoiceFilter(label=_("主担当"), queryset=User.objects.none(), empty_label=_("すべて"))
    is_difficult = django_filters.BooleanFilter(label=_("困難事例のみ"), method="filter_difficult", widget=forms.CheckboxInput)
    overdue = django_filters.BooleanFilter(label=_("期限切れの役割分担あり"), method="filter_overdue", widget=forms.CheckboxInput)
    received_from = DateFilter(label=_("受付日（から）"), field_name="received_on", lookup_expr="gte")
    received_to = DateFilter(label=_("受付日（まで）"), field_name="received_on", lookup_expr="lte")
    sort = django_filters.OrderingFilter(
        label=_("並び順"),
        fields=(("received_on", "received_on"), ("number", "number"), ("status_changed_at", "status_changed_at")),
        field_labels={"received_on": _("受付日"), "number": _("事例番号"), "status_changed_at": _("状況の変更日時")},
        empty_label=_("受付日の新しい順"),
    )

    class Meta:
        model = Case
        fields = []

    def __init__(self, data=None, *args, user, **kwargs):
        if data is not None and not data.get("status"):
            data = data.copy()
            data["status"] = OPEN
        super().__init__(data, *args, **kwargs)
        self.filters["ward"].queryset = Ward.objects.filter(municipality_id=user.municipality_id)
        self.filters["issue"].queryset = IssueCategory.objects.for_municipality(user.municipality_id).active()
        self.filters["lead"].queryset = User.objects.filter(
            municipality_id=user.municipality_id, role=Role.COORDINATOR, is_active=True
        ).order_by("last_name", "first_name")

    def filter_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.open()
        return queryset if value == ALL else queryset.filter(status=value)

    def filter_difficult(self, queryset, name, value):
        return queryset.filter(is_difficult=True) if value else queryset

    def filter_issue(self, queryset, name, value):
        return queryset.filter(Exists(CaseIssue.objects.filter(case_id=OuterRef("pk"), category=value))) if value else queryset

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        late = RoleAssignment.objects.overdue(timezone.localdate()).filter(case_id=OuterRef("pk"))
        return queryset.filter(Exists(late))
