from django.db.models import Count, Prefetch

from agencies.models import Ward

from .models import Household, HouseholdMember


def household_list(*, user):
    return Household.objects.for_user(user).select_related("ward").prefetch_related(
        Prefetch("members", queryset=HouseholdMember.objects.order_by("-is_primary", "pk"))
    )


def household_counts_by_ward(*, municipality):
    """Aggregate only: how many households each ward holds (for the bureau; no personal field)."""
    return Ward.objects.filter(municipality=municipality).annotate(households=Count("household")).order_by(
        "sort_order", "pk"
    )
