from .cases import Case, CaseIssue, CaseNumberSequence, CaseStatus, CaseStatusChange, IntakeChannel
from .households import (
    CareLevel,
    Household,
    HouseholdMember,
    HouseholdMerge,
    IntellectualDisabilityGrade,
    IssueCategory,
    MentalDisabilityGrade,
    PhysicalDisabilityGrade,
    Relationship,
    Sex,
)
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
    "CareLevel", "Case", "CaseIssue", "CaseNumberSequence", "CaseStatus", "CaseStatusChange", "Consent", "ConsentMethod",
    "ConsentPurpose", "Consultation", "ConsultationMethod", "Household", "HouseholdMember", "IntakeChannel",
    "HouseholdMerge", "IntellectualDisabilityGrade", "IssueCategory", "MentalDisabilityGrade", "PhysicalDisabilityGrade",
    "PlanKind", "Relationship", "RoleAssignment", "Sex", "SupportPlan", "TaskSharing", "TaskStatus",
]
