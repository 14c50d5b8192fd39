from .cases import Case, CaseIssue, CaseNumberSequence, CaseStatus, CaseStatusChange, IntakeChannel
from .households import Household, HouseholdMember, HouseholdMerge, IssueCategory, Sex
from .records import (
    Consent,
    ConsentMethod,
    ConsentPurpose,
    Consultation,
    ConsultationMethod,
    PlanKind,
    RoleAssignment,
    SupportPlan,
    TaskSharing,
    TaskStatus,
)

__all__ = [
    "Case", "CaseIssue", "CaseNumberSequence", "CaseStatus", "CaseStatusChange", "Consent", "ConsentMethod",
    "ConsentPurpose", "Consultation", "ConsultationMethod", "Household", "HouseholdMember", "IntakeChannel",
    "HouseholdMerge", "IssueCategory", "PlanKind", "RoleAssignment", "Sex", "SupportPlan", "TaskSharing", "TaskStatus",
]
