import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import audit_record
from cases.models import Consent, Consultation, RoleAssignment, SupportPlan, TaskSharing, TaskStatus
from cases.sharing import refusal, sharing_consent

from .cases import case_follow_plan


@transaction.atomic
def consultation_record(*, user, case, method, summary, held_at=None, minutes=None, next_action="",
                        next_due_on=None, agencies=(), request=None) -> Consultation:
    held_at = held_at or timezone.now()
    if held_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError(_("未来の日時の相談は記録できません。"), code="future")
    if next_due_on is not None and next_due_on < timezone.localdate(held_at):
        raise ValidationError(_("次の対応の期限は相談日以降にしてください。"), code="due_before_held")
    consultation = Consultation(case=case, held_at=held_at, method=method, staff=user, summary=summary,
                                minutes=minutes, next_action=next_action, next_due_on=next_due_on)
    consultation.save()
    if agencies:
        consultation.agencies.set(agencies)
    audit_record(action=Action.CREATE, request=request, user=user, obj=consultation)
    return consultation


@transaction.atomic
def consent_record(*, user, member, purpose, obtained_on, method, all_agencies=False, agencies=(), note="",
                   request=None) -> Consent:
    if not all_agencies and not agencies:
        raise ValidationError(_("同意の範囲として、対象の機関を選ぶか「すべての関係機関」を選んでください。"), code="no_scope")
    if obtained_on > timezone.localdate():
        raise ValidationError(_("同意日に未来の日付は入力できません。"), code="future")
    consent = Consent(member=member, purpose=purpose, all_agencies=all_agencies, obtained_on=obtained_on,
                      obtained_by=user, method=method, note=note)
    consent.save()
    if agencies and not all_agencies:
        consent.agencies.set(agencies)
    audit_record(action=Action.CREATE, request=request, user=user, obj=consent)
    return consent


@transaction.atomic
def consent_withdraw(*, user, consent: Consent, withdrawn_on=None, request=None) -> Consent:
    withdrawn_on = withdrawn_on or timezone.localdate()
    if consent.withdrawn_on is not None:
        raise ValidationError(_("この同意は既に撤回されています。"), code="already_withdrawn")
    if withdrawn_on < consent.obtained_on:
        raise ValidationError(_("撤回日は同意日以降にしてください。"), code="withdrawn_before_obtained")
    consent.withdrawn_on = withdrawn_on
    consent.withdrawn_by = user
    consent.save(update_fields=["withdrawn_on", "withdrawn_by"])
    audit_record(action=Action.UPDATE, request=request, user=user, obj=consent, detail={"fields": ["withdrawn_on"]})
    return consent


@transaction.atomic
def plan_create(*, user, case, kind, goals, decided_on, policy="", review_on=None, tasks=(), request=None) -> SupportPlan:
    """A new version of the case's plan with its role assignments (役割分担)."""
    if review_on is not None and review_on < decided_on:
        raise ValidationError(_("見直し予定日は決定日以降にしてください。"), code="review_before_decided")
    # Lock the case so two plans made at once cannot take the same version number.
    type(case).all_objects.select_for_update().get(pk=case.pk)
    version = (case.plans.aggregate(latest=Max("version"))["latest"] or 0) + 1
    plan = SupportPlan(case=case, version=version, kind=kind, goals=goals, policy=policy, decided_on=decided_on,
                       review_on=review_on, created_by=user)
    plan.save()
    for task in tasks:
        task_assign(user=user, case=case, plan=plan, **task)
    audit_record(action=Action.CREATE, request=request, user=user, obj=plan, detail={"tasks": len(tasks)})
    case_follow_plan(user=user, case=case, plan=plan, request=request)
    return plan


@transaction.atomic
def task_assign(*, user, case, agency, task: str, person: str = "", due_on=None, plan=None,
                discussed_at_meeting: bool = False) -> RoleAssignment:
    """A 役割分担 on a case, decided elsewhere (a plan, a meeting): the caller's audit event names it.

    The same gate as a referral (cases.sharing): the agency must be covered by a consent to share valid today —
    or, for a task decided at a meeting, the meeting itself lawfully discussed the case with that agency present
    (`discussed_at_meeting`, which the meetings service decides). Otherwise it is refused, saying what is missing.
    """
    consent = None
    if discussed_at_meeting:
        basis = TaskSharing.MEETING
    else:
        consent, problems = sharing_consent(case=case, agency=agency, day=timezone.localdate())
        if problems:
            raise refusal(
                [_("%(agency)sには、まだ役割分担を依頼できません。") % {"agency": agency.name}, *problems,
                 _("本人の「他機関への提供」または「情報共有」の同意（この機関を対象に含むもの）を記録してから依頼してください。")],
                code="task_consent_missing",
            )
        basis = TaskSharing.CONSENT
    assignment = RoleAssignment(case=case, plan=plan, agency=agency, person=person, task=task, due_on=due_on,
                                created_by=user, sharing_basis=basis, consent=consent)
    assignment.save()
    return assignment


@transaction.atomic
def task_set_status(*, user, task: RoleAssignment, status: str, request=None) -> RoleAssignment:
    if status not in TaskStatus.values:
        raise ValidationError(_("状況を正しく選んでください。"), code="invalid_status")
    task.status = status
    task.completed_on = timezone.localdate() if status == TaskStatus.DONE else None
    task.save(update_fields=["status", "completed_on"])
    audit_record(action=Action.UPDATE, request=request, user=user, obj=task, detail={"status": status})
    return task
