from django.shortcuts import render

from accounts.access import role_required
from accounts.models import Role
from cases.selectors import household_counts_by_ward


@role_required(Role.BUREAU, Role.ADMINISTRATOR)
def overview(request):
    """Aggregates only: no name, address or note ever reaches this page."""
    wards = list(household_counts_by_ward(municipality=request.user.municipality))
    return render(
        request, "reports/overview.html", {"wards": wards, "household_total": sum(w.households for w in wards)}
    )
