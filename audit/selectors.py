from django.db.models import QuerySet

from .filters import AuditEventFilter
from .models import Action, AuditEvent

# Failed sign-ins under a name that is no user's cannot be put to a municipality (audit.signals); every auditor
# of the installation sees them, since an attack on the shared sign-in page is an attack on every city using it.
UNATTRIBUTED_ACTIONS = (Action.LOGIN_FAILED, Action.LOCKED_OUT)


def audit_event_search(*, user, params) -> AuditEventFilter:
    """The trail of the auditor's own municipality, filtered by user, action, object and date."""
    return AuditEventFilter(params, queryset=AuditEvent.objects.select_related("user"))


def auditor_trail(*, user, search: AuditEventFilter) -> QuerySet:
    """The filtered events the auditor may read, newest first: their municipality's, and the failed sign-ins and
    lockouts that name no municipality. Two index scans merged (UNION ALL), not an OR that would sort the city's
    whole trail to show its first page."""
    own, unattributed = _trail_parts(user=user, events=search.qs)
    return own.union(unattributed, all=True).order_by("-at", "-id")


def auditor_trail_rows(*, user, search: AuditEventFilter) -> QuerySet:
    """The same events as bare ids in no order, for counting them (up to a cap) without sorting the trail."""
    own, unattributed = _trail_parts(user=user, events=search.qs.order_by().values("pk"))
    return own.union(unattributed, all=True)


def _trail_parts(*, user, events: QuerySet) -> tuple[QuerySet, QuerySet]:
    own = events.filter(municipality_id=user.municipality_id)
    unattributed = events.filter(municipality__isnull=True, action__in=UNATTRIBUTED_ACTIONS)
    return own, unattributed
