import django_filters
from django.utils.translation import gettext_lazy as _

from agencies.models import Ward
from core.forms import DateFilter

from .models import Activity, ActivityKind, Meeting, MeetingBasis, MeetingKind, MeetingStatus


class MeetingFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("状況"), choices=MeetingStatus.choices, empty_label=_("すべて"))
    kind = django_filters.ModelChoiceFilter(label=_("会議種別"), queryset=MeetingKind.objects.none(), empty_label=_("すべて"))
    basis = django_filters.ModelChoiceFilter(label=_("開催根拠"), queryset=MeetingBasis.objects.none(), empty_label=_("すべて"))
    ward = django_filters.ModelChoiceFilter(label=_("区・圏域"), queryset=Ward.objects.none(), empty_label=_("すべて"))
    held_from = DateFilter(label=_("開催日（から）"), field_name="held_on", lookup_expr="gte")
    held_to = DateFilter(label=_("開催日（まで）"), field_name="held_on", lookup_expr="lte")

    class Meta:
        model = Meeting
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["kind"].queryset = MeetingKind.objects.for_municipality(user.municipality_id)
        self.filters["basis"].queryset = MeetingBasis.objects.for_municipality(user.municipality_id)
        self.filters["ward"].queryset = Ward.objects.filter(municipality_id=user.municipality_id)


class ActivityFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("活動"), choices=ActivityKind.choices, empty_label=_("すべて"))
    ward = django_filters.ModelChoiceFilter(label=_("区・圏域"), queryset=Ward.objects.none(), empty_label=_("すべて"))
    held_from = DateFilter(label=_("実施日（から）"), field_name="held_on", lookup_expr="gte")
    held_to = DateFilter(label=_("実施日（まで）"), field_name="held_on", lookup_expr="lte")

    class Meta:
        model = Activity
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["ward"].queryset = Ward.objects.filter(municipality_id=user.municipality_id)
