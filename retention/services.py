"""Writes of the retention app: applying the retention period, and the two-approval erasure request."""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from agencies.models import Municipality
from audit.models import Action
from audit.services import audit_record
from cases.models import Case, CaseStatus, Household
from core.wareki import fiscal_year

from .anonymise import anonymise_household, anonymise_member
from .models import (
    Anonymisation,
    AnonymisationReason,
    ErasureGround,
    ErasureRequest,
    ErasureStatus,
    RetentionPolicy,
)
from .selectors import expired_households, retention_years, years_before

HANDLERS = (Role.ADMINISTRATOR, Role.AUDITOR)

# ------------------------------------------------------------------------------------------- the policy


@transaction.atomic
def policy_set(*, user, municipality: Municipality, years: int, request=None) -> RetentionPolicy:
    """The administrator's retention period (audited with the old and new value)."""
    policy, _created = RetentionPolicy.objects.select_for_update().get_or_create(municipality=municipality)
    before = None if _created else policy.years
    policy.years, policy.updated_by = years, user
    policy.full_clean()
    policy.save()
    audit_record(action=Action.UPDATE, request=request, user=user, obj=policy, municipality=municipality,
                 detail={"years": {"before": before, "after": years}})
    return policy


# ----------------------------------------------------------------------------------- apply_retention


@dataclass
class Planned:
    household_id: int
    last_closed: dt.date
    case_numbers: list[str]
    members: int


@dataclass
class RetentionRun:
    municipality: Municipality
    years: int
    cutoff: dt.date
    dry_run: bool
    households: list[Planned] = field(default_factory=list)
    done: list[Anonymisation] = field(default_factory=list)

    @property
    def cases(self) -> int:
        return sum(len(p.case_numbers) for p in self.households)


def retention_plan(*, municipality: Municipality, today: dt.date | None = None) -> RetentionRun:
    """What apply_retention would anonymise today: households, their case numbers and member counts (no names)."""
    today = today or timezone.localdate()
    years = retention_years(municipality)
    run = RetentionRun(municipality=municipality, years=years, cutoff=years_before(today, years), dry_run=True)
    households = expired_households(municipality=municipality, today=today, years=years)
    numbers: dict[int, list[str]] = {}
    for household_id, number in (Case.all_objects.filter(household__in=households.values("pk"))
                                 .order_by("received_on", "pk").values_list("household_id", "number")):
        numbers.setdefault(household_id, []).append(number)
    for pk, last_closed, members in households.annotate(member_count=Count("members", distinct=True)).values_list(
            "pk", "last_closed", "member_count"):
        run.households.append(Planned(pk, last_closed, numbers.get(pk, []), members))
    return run


def apply_retention(*, municipality: Municipality, dry_run: bool = False, today: dt.date | None = None,
                    user=None) -> RetentionRun:
    """Anonymise every household whose retention period has run out: one transaction per household, each
    checked again under its lock (a case reopened meanwhile keeps it). Audited: one ANONYMISE event per case and
    one summary of the run, none naming a person."""
    today = today or timezone.localdate()
    run = retention_plan(municipality=municipality, today=today)
    run.dry_run = dry_run
    if dry_run:
        return run
    for planned in run.households:
        with transaction.atomic():
            household = Household.all_objects.select_for_update().get(pk=planned.household_id)
            list(Case.all_objects.select_for_update().filter(household=household))
            still = expired_households(municipality=municipality, today=today, years=run.years).filter(pk=household.pk)
            if not still.exists():
                continue
            record = anonymise_household(household=household, reason=AnonymisationReason.RETENTION, on=today)
            _audit_cases(record, user=user, detail={"reason": AnonymisationReason.RETENTION, "years": run.years})
            run.done.append(record)
    audit_record(action=Action.ANONYMISE, user=user, municipality=municipality, object_type="retention.run",
                 object_label=_("保存期間の適用"),
                 detail={"households": len(run.done), "cases": sum(len(r.case_numbers) for r in run.done),
                         "years": run.years, "cutoff": run.cutoff.isoformat()})
    return run


def _audit_cases(record: Anonymisation, *, user, detail: dict, request=None) -> None:
    cases = Case.all_objects.filter(number__in=record.case_numbers, municipality_id=record.municipality_id)
    for case in cases.order_by("pk"):
        audit_record(action=Action.ANONYMISE, request=request, user=user, obj=case, municipality=record.municipality,
                     detail={**detail, "household": record.household_id, "anonymisation": record.pk,
                             "member": record.member_id})


# ------------------------------------------------------------------------------------ erasure requests


def _check_handler(user) -> None:
    if user.role not in HANDLERS:
        raise ValidationError(_("削除請求を扱えるのはシステム管理者と個人情報保護担当だけです。"), code="role")


def _open_cases(household: Household) -> list[Case]:
    return list(Case.all_objects.filter(household=household).exclude(status=CaseStatus.CLOSED).order_by("pk"))


def _refuse_open_cases(household: Household) -> None:
    open_cases = _open_cases(household)
    if open_cases:
        numbers = "、".join(f"{c.number}（{c.get_status_display()}）" for c in open_cases)
        raise ValidationError(
            _("終結していない事例があるため消去できません：%(cases)s。担当の推進員が事例を終結してから受け付けてください。")
            % {"cases": numbers}, code="open_cases")


def _next_number(municipality: Municipality, day: dt.date) -> tuple[int, int, str]:
    Municipality.objects.select_for_update().get(pk=municipality.pk)  # one number at a time per municipality
    year = fiscal_year(day)
    last = ErasureRequest.objects.filter(municipality=municipality, fiscal_year=year).aggregate(n=Max("sequence"))["n"] or 0
    return year, last + 1, f"削除-{year}-{last + 1:04d}"


@transaction.atomic
def erasure_request_file(*, user, household: Household, member=None, ground: str = ErasureGround.PERSON,
                         received_on: dt.date | None = None, note: str = "", request=None) -> ErasureRequest:
    """Receive a request (受付). Refused while any case of the household is not closed, or while another request
    for the household is open."""
    _check_handler(user)
    if household.municipality_id != user.municipality_id:
        raise ValidationError(_("この世帯は見つかりません。"), code="not_found")
    if member is not None and member.household_id != household.pk:
        raise ValidationError(_("世帯員 #%(member)d はこの世帯の世帯員ではありません。") % {"member": member.pk}, code="member")
    Household.all_objects.select_for_update().get(pk=household.pk)
    _refuse_open_cases(household)
    if ErasureRequest.objects.filter(household=household, status__in=(ErasureStatus.PENDING, ErasureStatus.FIRST_APPROVED)).exists():
        raise ValidationError(_("この世帯には承認待ちの削除請求があります。先にそちらを承認または却下してください。"), code="duplicate")
    now = timezone.now()
    received_on = received_on or timezone.localdate(now)
    year, sequence, number = _next_number(household.municipality, received_on)
    erasure = ErasureRequest.objects.create(
        municipality_id=household.municipality_id, fiscal_year=year, sequence=sequence, number=number,
        household=household, member=member, ground=ground, received_on=received_on, note=note,
        requested_by=user, requested_at=now,
    )
    audit_record(action=Action.REQUEST, request=request, user=user, obj=erasure,
                 detail={"number": number, "household": household.pk, "member": member.pk if member else None})
    return erasure


def _locked(erasure: ErasureRequest) -> ErasureRequest:
    current = ErasureRequest.objects.select_for_update().get(pk=erasure.pk)
    if not current.is_open:
        raise ValidationError(_("この削除請求はすでに%(status)sです。") % {"status": current.get_status_display()},
                              code="closed")
    return current


@transaction.atomic
def erasure_request_approve(*, user, erasure: ErasureRequest, request=None) -> ErasureRequest:
    """Approve. Two different people approve, neither the one who received the request, and at least one of the
    two is the 個人情報保護担当; the second approval erases at once, in the same transaction."""
    _check_handler(user)
    current = _locked(erasure)
    if user.pk == current.requested_by_id:
        raise ValidationError(_("受け付けた本人は承認できません。別の担当者が承認してください。"), code="requester")
    if user.pk == current.first_approved_by_id:
        raise ValidationError(_("すでに承認しています。2人目の承認は別の担当者が行います。"), code="twice")
    now = timezone.now()
    if current.status == ErasureStatus.PENDING:
        current.first_approved_by, current.first_approved_at, current.status = user, now, ErasureStatus.FIRST_APPROVED
        current.save(update_fields=["first_approved_by", "first_approved_at", "status"])
        audit_record(action=Action.APPROVE, request=request, user=user, obj=current, detail={"number": current.number, "step": 1})
        return current
    first = current.first_approved_by
    if Role.AUDITOR not in (user.role, first.role if first else None):
        raise ValidationError(_("2人の承認者のうち1人は個人情報保護担当でなければなりません。"), code="auditor_needed")
    household = Household.all_objects.select_for_update().get(pk=current.household_id)
    list(Case.all_objects.select_for_update().filter(household=household))
    _refuse_open_cases(household)
    current.second_approved_by, current.second_approved_at = user, now
    audit_record(action=Action.APPROVE, request=request, user=user, obj=current, detail={"number": current.number, "step": 2})
    if current.member is not None:
        record = anonymise_member(member=current.member, reason=AnonymisationReason.ERASURE, request=current,
                                  on=current.received_on)
    else:
        record = anonymise_household(household=household, reason=AnonymisationReason.ERASURE, request=current,
                                     on=current.received_on)
    # The note was typed by staff: whatever it says of the people goes with them.
    current.note = _cut_note(current.note, record)
    current.status, current.executed_at, current.erased = ErasureStatus.DONE, timezone.now(), record.erased
    current.save(update_fields=["second_approved_by", "second_approved_at", "status", "executed_at", "erased", "note"])
    _audit_cases(record, user=user, request=request, detail={"reason": AnonymisationReason.ERASURE, "number": current.number})
    audit_record(action=Action.ANONYMISE, request=request, user=user, obj=current,
                 detail={"number": current.number, "anonymisation": record.pk, "erased": record.erased})
    return current


def _cut_note(note: str, record: Anonymisation) -> str:
    """The request's note without the names the anonymiser found (taken before it rewrote the rows)."""
    fragments = getattr(record, "fragments", None)
    return fragments.cut(note) if note and fragments is not None else note


@transaction.atomic
def erasure_request_reject(*, user, erasure: ErasureRequest, reason: str, request=None) -> ErasureRequest:
    """Reject (却下) with a reason: nothing is erased."""
    _check_handler(user)
    if not reason.strip():
        raise ValidationError(_("却下の理由を入力してください。"), code="reason")
    current = _locked(erasure)
    current.status, current.rejected_by, current.rejected_at = ErasureStatus.REJECTED, user, timezone.now()
    current.rejection_reason = reason
    current.save(update_fields=["status", "rejected_by", "rejected_at", "rejection_reason"])
    audit_record(action=Action.REJECT, request=request, user=user, obj=current, detail={"number": current.number})
    return current
