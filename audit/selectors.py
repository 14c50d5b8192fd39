from .filters import AuditEventFilter
from .models import AuditEvent


def audit_event_search(*, user, params) -> AuditEventFilter:
    """The trail of the auditor's own municipality, filtered by user, action, object and date."""
    events = AuditEvent.objects.filter(municipality_id=user.municipality_id).select_related("user")
    return AuditEventFilter(params, queryset=events)
