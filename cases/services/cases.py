from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import Action
from audit.services import audit_record
from cases.models import Case, CaseIssue, CaseNumberSequence, CaseStatus, CaseStatusChange, TaskStatus
from cases.models.cases import OPEN_STATUSES
from core import wareki

from .locking import versioned_update

CASE_FIELDS = ["intake_channel", "referring_category", "referring_agency", "lead", "is_difficult", "summary"]


@dataclass(frozen=True)
class Transition:
    label: str | Promise
    sources: tuple
    target: str | None  # None: back to the status the case had before it was suspended
    reason_required: bool = False
    reason_label: str | Promise = ""  # the reason box's label, shown when this action is chosen


# The status flow of DOMAIN.md §3 as explicit actions: 受付 → アセスメント → プラン作成 → 支援中 →
# モニタリング → 終結, with 中断 (contact lost) and 再開 from 中断 or 終結.
TRANSITIONS = {
    "assess": Transition(gettext_lazy("アセスメントを始める"), (CaseStatus.RECEIVED,), CaseStatus.ASSESSMENT),
    "plan": Transition(gettext_lazy("プラン作成へ進む"), (CaseStatus.ASSESSMENT, CaseStatus.MONITORING), CaseStatus.PLANNING),
    "support": Transition(gettext_lazy("支援を開始する"), (CaseStatus.PLANNING,), CaseStatus.SUPPORTING),
    "monitor": Transition(gettext_lazy("モニタリングへ進む"), (CaseStatus.SUPPORTING,), CaseStatus.MONITORING),
    "resume_support": Transition(gettext_lazy("支援に戻る"), (CaseStatus.MONITORING,), CaseStatus.SUPPORTING),
    "close": Transition(gettext_lazy("終結する"), OPEN_STATUSES, CaseStatus.CLOSED, reason_required=True,
                      reason_label=gettext_lazy("終結の理由")),
    "suspend": Transition(gettext_lazy("中断する"), OPEN_STATUSES, CaseStatus.SUSPENDED, reason_required=True,
                        reason_label=gettext_lazy("中断の理由")),
    "resume": Transition(gettext_lazy("中断から再開する"), (CaseStatus.SUSPENDED,), None, reason_required=True,
                       reason_label=gettext_lazy("再開の理由")),
    "reopen": Transition(gettext_lazy("終結した事例を再開する"), (CaseStatus.CLOSED,), CaseStatus.ASSESSMENT, reason_required=True,
                       reason_label=gettext_lazy("再開の理由")),
}


# A plan decided (策定 or 再プラン) is what starts, or resumes, support by that plan: the case moves on to 支援中
# by itself rather than waiting at 受付 or プラン作成. A 終結判断 plan leaves the status for the explicit 終結,
# which needs its reason.
PLAN_STARTS_SUPPORT_FROM = (CaseStatus.RECEIVED, CaseStatus.ASSESSMENT, CaseStatus.PLANNING, CaseStatus.MONITORING)
PLAN_KINDS_STARTING_SUPPORT = ("initial", "revision")


def case_follow_plan(*, user, case: Case, plan, request=None) -> Case:
    """The case after `plan` was decided (called by plan_create): 支援中 when the plan starts support, recorded as
    a status change by whoever decided the plan (the timeline shows the plan beside it); otherwise unchanged.
    The `case` object the caller holds is brought up to date."""
    current = Case.all_objects.select_for_update().get(pk=case.pk)
    if plan.kind not in PLAN_KINDS_STARTING_SUPPORT or current.status not in PLAN_STARTS_SUPPORT_FROM:
        return case
    now = timezone.now()
    CaseStatusChange.objects.create(
        case=current, action="plan_decided", from_status=current.status, to_status=CaseStatus.SUPPORTING,
        changed_by=user, changed_at=now,
    )
    current.status, current.status_changed_at = CaseStatus.SUPPORTING, now
    current.version += 1
    current.save(update_fields=["status", "status_changed_at", "version", "updated_at"])
    audit_record(action=Action.UPDATE, request=request, user=user, obj=current, detail={"transition": "plan_decided"})
    case.status, case.status_changed_at, case.version = current.status, current.status_changed_at, current.version
    return case


def available_transitions(case: Case) -> list[tuple[str, Transition]]:
    return [(action, t) for action, t in TRANSITIONS.items() if case.status in t.sources]


def next_case_number(municipality_id: int, fiscal_year: int) -> tuple[int, str]:
    return reserve_case_numbers(municipality_id, fiscal_year, 1)[0]


def reserve_case_numbers(municipality_id: int, fiscal_year: int, count: int) -> list[tuple[int, str]]:
    """The next `count` case numbers of the fiscal year, (sequence, "R2-0001"), taken under a row lock."""
    CaseNumberSequence.objects.get_or_create(municipality_id=municipality_id, fiscal_year=fiscal_year)
    sequence = CaseNumberSequence.objects.select_for_update().get(municipality_id=municipality_id, fiscal_year=fiscal_year)
    first = sequence.last + 1
    sequence.last += count
    sequence.save(update_fields=["last"])
    label = wareki.fiscal_year_short_label(fiscal_year).removesuffix("年度")
    return [(n, f"{label}-{n:04d}") for n in range(first, sequence.last + 1)]


@transaction.atomic
def case_open(*, user, household, received_on, intake_channel, referring_category=None, referring_agency=None,
              lead=None, is_difficult=False, summary="", request=None) -> Case:
    if referring_agency is not None and referring_category is None:
        referring_category = referring_agency.category
    if referring_agency is not None and referring_agency.category_id != referring_category.pk:
        raise ValidationError(_("相談のあった機関と機関種別が一致しません。"), code="referrer_mismatch")
    fiscal_year = wareki.fiscal_year(received_on)
    sequence, number = next_case_number(household.municipality_id, fiscal_year)
    now = timezone.now()
    case = Case(
        municipality_id=household.municipality_id, ward_id=household.ward_id, household=household,
        fiscal_year=fiscal_year, sequence=sequence, number=number, received_on=received_on,
        intake_channel=intake_channel, referring_category=referring_category, referring_agency=referring_agency,
        lead=lead or user, is_difficult=is_difficult, summary=summary, created_by=user, status_changed_at=now,
    )
    case.save()
    CaseStatusChange.objects.create(
        case=case, action="open", to_status=CaseStatus.RECEIVED, changed_by=user, changed_at=now
    )
    audit_record(action=Action.CREATE, request=request, user=user, obj=case)
    return case


@transaction.atomic
def case_update(*, user, case: Case, expected_version: int, request=None, **changes) -> Case:
    lead = changes.get("lead")
    if lead is not None and (lead.role != "coordinator" or lead.ward_id != case.ward_id):
        # docs/access-policy.md: the lead opens the case like any coordinator of its ward, and only they can.
        raise ValidationError(_("主担当には、事例を担当する区のつながる体制推進員を選んでください。"), code="lead_other_ward")
    return versioned_update(case, expected_version=expected_version, fields=CASE_FIELDS, changes=changes,
                            user=user, request=request)


@transaction.atomic
def case_transition(*, user, case: Case, action: str, reason: str = "", on=None, request=None) -> Case:
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(_("この操作はできません。"), code="unknown_action")
    case = Case.all_objects.select_for_update().get(pk=case.pk)
    if case.status not in transition.sources:
        raise ValidationError(
            _("「%(status)s」の事例は「%(action)s」ことができません。") % {
                "status": case.get_status_display(), "action": transition.label},
            code="illegal_transition",
        )
    reason = reason.strip()
    if transition.reason_required and not reason:
        raise ValidationError(_("「%(action)s」には理由の入力が必要です。") % {"action": transition.label}, code="reason_required")
    target = transition.target
    if target is None:
        before = case.status_changes.filter(to_status=CaseStatus.SUSPENDED).order_by("-changed_at", "-pk").first()
        target = before.from_status if before and before.from_status else CaseStatus.ASSESSMENT
    now = timezone.now()
    CaseStatusChange.objects.create(
        case=case, action=action, from_status=case.status, to_status=target, reason=reason, changed_by=user, changed_at=now
    )
    case.status = target
    case.status_changed_at = now
    fields = ["status", "status_changed_at", "version", "updated_at"]
    if target == CaseStatus.CLOSED:
        case.closed_on = on or timezone.localdate()
        case.closing_reason = reason
        fields += ["closed_on", "closing_reason"]
        # Support ends with the case: tasks still open would otherwise show as overdue for ever.
        for task in case.tasks.pending():
            task.status = TaskStatus.CANCELLED
            task.save(update_fields=["status"])
    elif case.closed_on is not None:
        case.closed_on = None
        fields.append("closed_on")
    case.version += 1
    case.save(update_fields=fields)
    audit_record(action=Action.UPDATE, request=request, user=user, obj=case, detail={"transition": action})
    return case


@transaction.atomic
def case_issue_add(*, user, case: Case, category, member=None, suspected=False, noted_on=None, note="", request=None) -> CaseIssue:
    if member is not None and member.household_id != case.household_id:
        raise ValidationError(_("この世帯の世帯員を選んでください。"), code="member_not_in_household")
    if suspected and not category.allows_suspected:
        raise ValidationError(_("「%(name)s」は疑いとして記録できない課題です。") % {"name": category.name}, code="suspected_not_allowed")
    issue = CaseIssue(case=case, category=category, member=member, suspected=suspected,
                      noted_on=noted_on or timezone.localdate(), note=note)
    issue.save()
    audit_record(action=Action.CREATE, request=request, user=user, obj=issue)
    return issue


@transaction.atomic
def case_issue_resolve(*, user, issue: CaseIssue, resolved_on=None, request=None) -> CaseIssue:
    resolved_on = resolved_on or timezone.localdate()
    if resolved_on < issue.noted_on:
        raise ValidationError(_("解消日は把握日より後の日付にしてください。"), code="resolved_before_noted")
    issue.resolved_on = resolved_on
    issue.save(update_fields=["resolved_on"])
    audit_record(action=Action.UPDATE, request=request, user=user, obj=issue, detail={"fields": ["resolved_on"]})
    return issue
