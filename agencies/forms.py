"""Agency choices for the forms of every app above: a ward's agencies and the city-wide ones, grouped by ward."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Agency


def agency_queryset(municipality_id, ward=None, also=()):
    """The municipality's agencies; with a ward, that ward's and the city-wide ones (plus `also`)."""
    agencies = Agency.objects.filter(municipality_id=municipality_id, is_active=True).select_related("ward", "category")
    if ward is not None:
        agencies = Agency.objects.filter(
            Q(municipality_id=municipality_id, is_active=True) & (Q(ward=ward) | Q(ward__isnull=True)) | Q(pk__in=also)
        ).select_related("ward", "category")
    return agencies.order_by("ward__sort_order", "category__sort_order", "name")


def grouped_agency_choices(agencies) -> list:
    """Agencies grouped by ward (市全域 for city-wide ones), for a long list that stays readable."""
    groups: dict[str, list] = {}
    for agency in agencies:
        label = agency.ward.name if agency.ward else str(_("市全域"))
        groups.setdefault(label, []).append((agency.pk, agency.name))
    return list(groups.items())
