"""What each role sees first. Every personal record shown here is audited like any other list."""

from accounts.models import Role
from audit.models import AuditEvent
from audit.services import audit_list
from cases.models import Household
from cases.selectors import household_counts_by_ward, household_list


def for_user(request) -> tuple[str, dict]:
    user = request.user
    context = {"role_label": user.get_role_display()}
    if user.role == Role.COORDINATOR:
        recent = list(household_list(user=user)[:10])
        audit_list(request=request, model=Household, objects=recent, detail={"page": "dashboard"})
        context.update(recent_households=recent, household_total=household_list(user=user).count())
        return "core/dashboard_coordinator.html", context
    if user.role in (Role.BUREAU, Role.ADMINISTRATOR):
        wards = list(household_counts_by_ward(municipality=user.municipality))
        context.update(wards=wards, household_total=sum(w.households for w in wards))
        return "core/dashboard_bureau.html", context
    if user.role == Role.AUDITOR:
        events = AuditEvent.objects.filter(municipality=user.municipality).select_related("user")[:10]
        context.update(events=events)
        return "core/dashboard_auditor.html", context
    return "core/dashboard_casework.html", context
