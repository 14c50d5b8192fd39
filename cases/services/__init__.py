"""Writes on households and cases. Each is one transaction and leaves an audit event."""

from .cases import (
    TRANSITIONS,
    case_issue_add,
    case_issue_resolve,
    case_open,
    case_transition,
    case_update,
)
from .households import (
    household_create,
    household_merge,
    household_merge_undo,
    household_update,
    member_add,
    member_update,
)
from .records import (
    consent_record,
    consent_withdraw,
    consultation_record,
    plan_create,
    task_assign,
    task_set_status,
)

__all__ = [
    "TRANSITIONS", "case_issue_add", "case_issue_resolve", "case_open", "case_transition", "case_update",
    "consent_record", "consent_withdraw", "consultation_record", "household_create", "household_merge",
    "household_merge_undo", "household_update",
    "member_add", "member_update", "plan_create", "task_assign", "task_set_status",
]
