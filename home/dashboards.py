"""What each role sees first. Every personal record shown here is audited like any other list."""

from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from audit.services import audit_list
from cases.models import Case, Household, RoleAssignment, TaskStatus
from cases.selectors import agency_tasks, case_list, household_counts_by_ward, household_list, overdue_tasks
from ledger.selectors import made_by_import
from meetings.models import Meeting
from meetings.selectors import upcoming_meetings
from referrals.models import Referral
from referrals.selectors import action_needed, ward_waiting


def for_user(request) -> tuple[str, dict]:
    # The lists it shows are audited one event each, written together as the view returns (audit_at_the_end).
    user = request.user
    context = {"role_label": user.get_role_display(), "task_statuses": TaskStatus.choices, "today": timezone.localdate()}
    if user.role == Role.COORDINATOR:
        # Households a ledger import made would crowd out the ones the office registered: one line counts them.
        recent = list(household_list(user=user).exclude(made_by_import())[:5])
        late = list(overdue_tasks(user=user)[:20])
        open_cases = case_list(user=user, params={}).qs
        audit_list(request=request, model=Household, objects=recent, detail={"page": "dashboard"})
        audit_list(request=request, model=RoleAssignment, objects=late, detail={"page": "dashboard"})
        meetings = list(upcoming_meetings(user=user)[:10])
        audit_list(request=request, model=Meeting, objects=meetings, detail={"page": "dashboard"})
        waiting = _referrals_waiting(request)
        context.update(recent_households=recent, overdue=late, open_case_total=open_cases.count(), meetings=meetings,
                       referrals_waiting=waiting, ward_waiting=ward_waiting(user=user),
                       household_total=household_list(user=user).count(),
                       imported_households=household_list(user=user).filter(made_by_import()).count())
        return "home/dashboard_coordinator.html", context
    if user.role in (Role.SUPERVISOR, Role.AGENCY_WORKER):
        # An agency worker opens no case file (docs/access-policy.md): its tasks and referrals are its way in.
        cases = list(case_list(user=user, params={}).qs[:20]) if user.role == Role.SUPERVISOR else []
        tasks = []
        if user.role == Role.AGENCY_WORKER:
            tasks = list(agency_tasks(user=user)[:50])
            context["referrals_waiting"] = _referrals_waiting(request)
            audit_list(request=request, model=RoleAssignment, objects=tasks, detail={"page": "dashboard"})
        audit_list(request=request, model=Case, objects=cases, detail={"page": "dashboard"})
        meetings = list(upcoming_meetings(user=user)[:10])
        audit_list(request=request, model=Meeting, objects=meetings, detail={"page": "dashboard"})
        context.update(cases=cases, tasks=tasks, meetings=meetings)
        return "home/dashboard_casework.html", context
    if user.role in (Role.BUREAU, Role.ADMINISTRATOR):
        wards = list(household_counts_by_ward(municipality=user.municipality))
        context.update(wards=wards, household_total=sum(w.households for w in wards))
        return "home/dashboard_bureau.html", context
    events = AuditEvent.objects.filter(municipality=user.municipality).select_related("user")[:10]
    context.update(events=events)
    return "home/dashboard_auditor.html", context


def _referrals_waiting(request) -> list:
    waiting = list(action_needed(user=request.user)[:20])
    audit_list(request=request, model=Referral, objects=waiting, detail={"page": "dashboard"})
    return waiting
