import datetime as dt

import django_filters
from django.apps import apps
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalChanges

from agencies.models import MasterModel
from core.forms import DateFilter

from .models import Action, AuditEvent

# The apps whose records the trail names; the search offers their models by their Japanese names.
AUDITED_APPS = ("cases", "accounts", "agencies", "meetings", "referrals", "ledger", "api", "retention")


def audited_types():
    """The records a person looks at, by name: not the change history's shadow tables nor plumbing that has no
    name of its own (a case-number counter), which would show the auditor code names."""
    return [
        (model._meta.label_lower, model._meta.verbose_name)
        for model in apps.get_models()
        if model._meta.app_label in AUDITED_APPS and not issubclass(model, (MasterModel, HistoricalChanges))
        and "verbose_name" in model._meta.original_attrs
    ]


class AuditEventFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(label=_("ログインID"), field_name="username", lookup_expr="iexact")
    action = django_filters.ChoiceFilter(label=_("操作"), choices=Action.choices, empty_label=_("すべて"))
    object_type = django_filters.ChoiceFilter(label=_("対象の種類"), choices=audited_types, empty_label=_("すべて"))
    object_id = django_filters.CharFilter(
        label=_("対象ID"), method="filter_object_id",
        help_text=_("その記録を開いた記録に加えて、一覧・検索の結果にその記録が表示された記録も探します。"))
    date_from = DateFilter(label=_("期間（から）"), method="filter_from")
    date_to = DateFilter(label=_("期間（まで）"), method="filter_to")

    class Meta:
        model = AuditEvent
        fields = ["username", "action", "object_type", "object_id", "date_from", "date_to"]

    # Whole days in Tokyo time, as a range on the indexed timestamp (a cast to date could not use the index).
    @staticmethod
    def _start_of(day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    def filter_object_id(self, queryset, name, value):
        """Who looked at this record: the events about it, and the list and search pages that showed it (their
        detail names every record shown, `audit_list`; found through the GIN index on detail)."""
        value = value.strip()
        # The kind is repeated in each branch so that each is answered by its own index (a bitmap OR of the
        # object index and the detail index), not by reading every event about that kind of record.
        kind = {"object_type": self.form.cleaned_data["object_type"]} if self.form.cleaned_data.get("object_type") else {}
        shown = Q(object_id=value, **kind)
        if value.isdigit():
            shown |= Q(detail__contains={"ids": [int(value)]}, action__in=(Action.LIST, Action.SEARCH), **kind)
        return queryset.filter(shown)

    def filter_from(self, queryset, name, value):
        return queryset.filter(at__gte=self._start_of(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(at__lt=self._start_of(value + dt.timedelta(days=1)))
