import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Action, AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(label=_("ログインID"), field_name="username", lookup_expr="iexact")
    action = django_filters.ChoiceFilter(label=_("操作"), choices=Action.choices, empty_label=_("すべて"))
    object_type = django_filters.CharFilter(label=_("対象の種類"), help_text=_("例: cases.household"))
    object_id = django_filters.CharFilter(label=_("対象ID"))
    date_from = django_filters.DateFilter(
        label=_("期間（から）"), field_name="at", lookup_expr="date__gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label=_("期間（まで）"), field_name="at", lookup_expr="date__lte", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditEvent
        fields = ["username", "action", "object_type", "object_id", "date_from", "date_to"]
