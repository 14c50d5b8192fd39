from .cases import (
    case_create,
    case_detail,
    case_edit,
    case_list,
    case_transition,
    consent_create,
    consent_withdraw,
    consultation_create,
    issue_create,
    issue_resolve,
    plan_create,
    task_detail,
    task_status,
)
from .households import (
    household_create,
    household_detail,
    household_ecomap,
    household_edit,
    household_list,
    household_merge,
    member_create,
    member_edit,
)

__all__ = [
    "case_create", "case_detail", "case_edit", "case_list", "case_transition", "consent_create", "consent_withdraw",
    "consultation_create", "household_create", "household_detail", "household_ecomap", "household_edit",
    "household_list", "household_merge", "issue_create", "issue_resolve", "member_create", "member_edit", "plan_create", "task_detail",
    "task_status",
]
