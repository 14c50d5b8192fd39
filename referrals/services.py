"""Writes on referrals (つなぎ). Each is one transaction, leaves an audit event and notifies the other side.

The lifecycle is a table of explicit actions (ACTIONS): 依頼中 → 受理 or 辞退 → 対応中 → 完了, and 取下げ by
the sender while unanswered. Every action locks the referral row and checks its status under the lock,
so when two people answer at once exactly one answer is kept and the other is told who answered first.

The consent gate (DOMAIN.md §4): a referral that passes on personal information needs the primary
person's valid consent (他機関への提供 or 情報共有) covering the receiver, or a statutory basis written on
the referral; otherwise it goes without personal details.
"""

import datetime as dt
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role
from audit.models import Action
from audit.services import audit_record
from cases.models import Case, Consent, RoleAssignment
from cases.sharing import refusal, sharing_consent

from . import notifications, sharing
from .access import is_receiver, is_sender
from .models import (
    STATUTORY_BASES,
    DeclineReason,
    NotificationKind,
    Referral,
    ReferralEvent,
    ReferralKind,
    ReferralPurpose,
    ReferralStatus,
    SharedItem,
    SharingBasis,
)

SENDERS = frozenset({Role.COORDINATOR, Role.AGENCY_WORKER})


class Move(NamedTuple):
    label: str | Promise  # the action's name in headings, messages and the audit trail
    button: str | Promise
    sources: tuple
    target: str
    side: str  # "receiver" or "sender": whose action it is


ACTIONS = {
    "accept": Move(gettext_lazy("受理"), gettext_lazy("受理する"), (ReferralStatus.SENT,), ReferralStatus.ACCEPTED, "receiver"),
    "decline": Move(gettext_lazy("辞退"), gettext_lazy("辞退する"), (ReferralStatus.SENT,), ReferralStatus.DECLINED, "receiver"),
    "start": Move(gettext_lazy("対応開始"), gettext_lazy("対応を開始する"), (ReferralStatus.ACCEPTED,),
                  ReferralStatus.IN_PROGRESS, "receiver"),
    "complete": Move(gettext_lazy("完了"), gettext_lazy("完了する"), (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS),
                     ReferralStatus.COMPLETED, "receiver"),
    "withdraw": Move(gettext_lazy("取下げ"), gettext_lazy("取り下げる"), (ReferralStatus.SENT,), ReferralStatus.WITHDRAWN,
                     "sender"),
}


# ------------------------------------------------------------------------------------------------ sides


def available_actions(user, referral: Referral) -> list[str]:
    """The actions this user may take on this referral now (what the page offers as buttons)."""
    sides = {"receiver": is_receiver(user, referral), "sender": is_sender(user, referral)}
    return [name for name, move in ACTIONS.items() if referral.status in move.sources and sides[move.side]]


def referable_cases(user):
    """Cases this user may refer: a coordinator their ward's open cases; an agency worker the cases their
    agency works on (a task), or holds an accepted referral for."""
    if user.role not in SENDERS:
        return Case.all_objects.none()
    cases = Case.objects.for_user(user)
    if user.role == Role.AGENCY_WORKER:
        held = Referral.all_objects.filter(
            to_agency_id=user.agency_id, status__in=(ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)
        ).values("case_id")
        tasks = RoleAssignment.objects.pending().filter(agency_id=user.agency_id).values("case_id")
        cases = Case.all_objects.filter(municipality_id=user.municipality_id).filter(Q(pk__in=held) | Q(pk__in=tasks))
    return cases.open()


# ------------------------------------------------------------------------------------------ consent gate


def _check_sharing(*, case, shares, sharing_basis, basis_note, basis_meeting, to_agency, to_ward, day) -> Consent | None:
    if not shares:
        if sharing_basis not in ("", SharingBasis.NONE):
            raise ValidationError(_("共有する情報を選ばないときは、共有の根拠は「個人情報を共有しない」にしてください。"),
                                  code="basis_without_shares")
        return None
    if sharing_basis in ("", SharingBasis.NONE):
        raise refusal([_("個人情報を共有するには、本人の同意または法令上の根拠が必要です。"),
                        _("根拠がないときは、共有する情報の選択をすべて外し、個人情報を含めずに依頼してください。")],
                       code="basis_required")
    if sharing_basis == SharingBasis.CONSENT:
        consent, problems = sharing_consent(case=case, agency=to_agency, ward=to_ward, day=day)
        if problems:
            raise refusal([_("本人の同意がないため、個人情報を共有できません。"), *problems,
                            _("同意を記録してから依頼するか、個人情報を含めずに依頼してください。")], code="consent_missing")
        return consent
    if sharing_basis in sharing.MEETING_BASES:
        sharing.check_basis_meeting(case=case, meeting=basis_meeting, to_agency=to_agency, to_ward=to_ward)
        return None
    if sharing_basis in STATUTORY_BASES:
        if not basis_note.strip():
            raise ValidationError(
                _("法令に基づいて共有するときは、根拠の詳細（会議名と開催日、条項など）を記入してください。"), code="basis_note_required"
            )
        return None
    if sharing_basis == SharingBasis.OWN_WARD:
        if to_ward is None or to_ward.pk != case.ward_id:
            raise ValidationError(
                _("「事例を担当する区役所への返送」は、事例を担当する区役所に宛てるときだけ選べます。"), code="own_ward_only"
            )
        return None
    raise ValidationError(_("共有の根拠を正しく選んでください。"), code="invalid_basis")


# ------------------------------------------------------------------------------------------------- send


@transaction.atomic
def referral_send(*, user, case: Case, kind: ReferralKind, reason: str, to_agency=None, to_ward=None, shares=(),
                  sharing_basis: str = SharingBasis.NONE, basis_note: str = "", basis_meeting=None,
                  due_on: dt.date | None = None, parent: Referral | None = None, request=None) -> Referral:
    """依頼: send a referral about `case` to one agency or one ward office."""
    if user.role not in SENDERS:
        raise ValidationError(_("つなぎを依頼できるのは、つながる体制推進員と関係機関の職員です。"), code="not_sender")
    if not referable_cases(user).filter(pk=case.pk).exists():
        raise ValidationError(
            _("事例 %(case)s は依頼できません。担当している終結前の事例だけを依頼できます。") % {"case": case.number},
            code="case_not_referable",
        )
    if (to_agency is None) == (to_ward is None):
        raise ValidationError(_("依頼先を一つ選んでください。"), code="recipient_required")
    municipality_id = user.municipality_id
    if kind.municipality_id not in (None, municipality_id) or not kind.is_active:
        raise ValidationError(_("種別を正しく選んでください。"), code="invalid_kind")
    if to_agency is not None:
        if to_agency.municipality_id != municipality_id or not to_agency.is_active:
            raise ValidationError(_("この自治体の使用中の機関を依頼先に選んでください。"), code="invalid_recipient")
        if user.role == Role.AGENCY_WORKER and to_agency.pk == user.agency_id:
            raise ValidationError(_("自分の機関には依頼できません。"), code="to_self")
    if to_ward is not None:
        if to_ward.municipality_id != municipality_id:
            raise ValidationError(_("この自治体の区役所を依頼先に選んでください。"), code="invalid_recipient")
        if user.role == Role.COORDINATOR and to_ward.pk == user.ward_id:
            raise ValidationError(_("自分の区役所には依頼できません。"), code="to_self")
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("依頼の理由と内容を入力してください。"), code="reason_required")
    now = timezone.now()
    today = timezone.localdate(now)
    if due_on is None:
        due_on = today + dt.timedelta(days=kind.default_due_days)
    if due_on < today:
        raise ValidationError(_("回答期限は今日以降の日付にしてください。"), code="due_in_past")
    if parent is not None and parent.case_id != case.pk:
        raise ValidationError(_("元の依頼と同じ事例についてだけ、つなぎ戻しができます。"), code="parent_other_case")
    if set(shares) - set(SharedItem.values):
        raise ValidationError(_("共有する情報の項目が正しくありません。"), code="invalid_share")
    shares = sorted(set(shares), key=SharedItem.values.index)
    consent = _check_sharing(case=case, shares=shares, sharing_basis=sharing_basis or SharingBasis.NONE,
                             basis_note=basis_note, basis_meeting=basis_meeting, to_agency=to_agency, to_ward=to_ward,
                             day=today)
    # The sender passes on only what it holds itself, as it holds it: the copy is taken now.
    snapshot = sharing.check_items(user, case, shares) if shares else {}
    statutory_meeting = shares and sharing_basis in sharing.MEETING_BASES
    referral = Referral(
        municipality_id=municipality_id, case=case, kind=kind, parent=parent,
        from_agency_id=user.agency_id if user.role == Role.AGENCY_WORKER else None,
        from_ward_id=user.ward_id if user.role == Role.COORDINATOR else case.ward_id,
        sent_by=user, to_agency=to_agency, to_ward=to_ward, reason=reason, shares=shares,
        sharing_basis=sharing_basis if shares else SharingBasis.NONE, basis_note=basis_note.strip() if shares else "",
        basis_meeting=basis_meeting if statutory_meeting else None, consent=consent, snapshot=snapshot,
        sent_at=now, due_on=due_on,
    )
    referral.save()
    ReferralEvent.objects.create(referral=referral, action="send", to_status=ReferralStatus.SENT, by=user, at=now,
                                 note=reason)
    audit_record(action=Action.CREATE, request=request, user=user, obj=referral,
                 detail={"case": case.pk, "shares": shares, "basis": referral.sharing_basis})
    notifications.notify(referral, NotificationKind.NEW, notifications.receivers(referral))
    return referral


# ------------------------------------------------------------------------------------------------ moves


def _answered_already(current: Referral, move: Move) -> ValidationError:
    last = current.events.select_related("by").last()
    who = last.by.display_name if last else _("他の利用者")
    when = timezone.localtime(last.at).strftime("%H:%M") if last else ""
    return ValidationError(
        _("この依頼は、%(who)sさんが%(when)sに「%(status)s」にしたため、「%(action)s」できませんでした。画面を開き直して確認してください。")
        % {"who": who, "when": when, "status": current.get_status_display(), "action": move.label},
        code="already_answered",
    )


@transaction.atomic
def referral_transition(*, user, referral: Referral, action: str, note: str = "", decline_reason=None, outcome: str = "",
                        request=None) -> Referral:
    """One action of ACTIONS. The row is locked first: of two answers at once, the second is refused."""
    move = ACTIONS.get(action)
    if move is None:
        raise ValidationError(_("この操作はできません。"), code="unknown_action")
    current = (Referral.all_objects.select_for_update(of=("self",))
               .select_related("to_agency", "to_ward", "from_agency", "from_ward", "kind", "case").get(pk=referral.pk))
    allowed_side = is_receiver(user, current) if move.side == "receiver" else is_sender(user, current)
    if not allowed_side:
        who = _("依頼先の職員") if move.side == "receiver" else _("依頼元の職員")
        raise ValidationError(_("「%(action)s」できるのは%(who)sだけです。") % {"action": move.label, "who": who},
                              code="wrong_side")
    if current.status not in move.sources:
        if current.status != ReferralStatus.SENT and ReferralStatus.SENT in move.sources:
            raise _answered_already(current, move)
        raise ValidationError(
            _("「%(status)s」の依頼は「%(action)s」できません。") % {"status": current.get_status_display(), "action": move.label},
            code="illegal_move",
        )
    note = note.strip()
    if action == "decline":
        if decline_reason is None:
            raise ValidationError(_("辞退の理由を選んでください。"), code="decline_reason_required")
        if decline_reason.municipality_id not in (None, current.municipality_id):
            raise ValidationError(_("辞退の理由を正しく選んでください。"), code="invalid_decline_reason")
        current.decline_reason = decline_reason
    if action == "complete":
        outcome = outcome.strip()
        if not outcome:
            raise ValidationError(_("対応の結果を入力してください。事例の経過に記録されます。"), code="outcome_required")
        current.outcome = outcome
    if action == "withdraw" and not note:
        raise ValidationError(_("取下げの理由を入力してください。"), code="withdraw_reason_required")
    now = timezone.now()
    before = current.status
    current.status = move.target
    if action in ("accept", "decline"):
        current.answered_at, current.answered_by = now, user
        current.answer_note = note
    if move.target in (ReferralStatus.COMPLETED, ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN):
        current.closed_at = now
    current.save()
    event_note = outcome if action == "complete" else (
        f"{decline_reason.name}\n{note}".strip() if action == "decline" else note)
    ReferralEvent.objects.create(referral=current, action=action, from_status=before, to_status=move.target, by=user,
                                 at=now, note=event_note)
    audit_record(action=Action.UPDATE, request=request, user=user, obj=current,
                 detail={"action": action, "from": before, "to": move.target})
    kind = {"accept": NotificationKind.ACCEPTED, "decline": NotificationKind.DECLINED,
            "complete": NotificationKind.COMPLETED, "withdraw": NotificationKind.WITHDRAWN}.get(action)
    if kind is not None:
        people = notifications.receivers(current) if move.side == "sender" else notifications.senders(current)
        notifications.notify(current, kind, people)
    return current


def referral_return(*, user, referral: Referral, reason: str, shares=(), sharing_basis=SharingBasis.NONE, basis_note="",
                    due_on=None, request=None) -> Referral:
    """つなぎ戻し: the receiver hands the case back to whoever sent it, as a new referral linked to this one."""
    referral = Referral.all_objects.select_related("from_agency", "from_ward", "municipality", "case").get(pk=referral.pk)
    if not is_receiver(user, referral) or referral.status not in (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS):
        raise ValidationError(_("つなぎ戻しは、受理した依頼の依頼先だけができます。"), code="return_not_allowed")
    kind = ReferralKind.objects.for_municipality(referral.municipality).active().filter(purpose=ReferralPurpose.RETURN).first()
    if kind is None:
        raise ValidationError(_("「つなぎ戻し」の種別がマスタにありません。管理者に連絡してください。"), code="no_return_kind")
    return referral_send(
        user=user, case=referral.case, kind=kind, reason=reason, to_agency=referral.from_agency,
        to_ward=referral.from_ward if referral.from_agency_id is None else None, shares=shares,
        sharing_basis=sharing_basis, basis_note=basis_note, due_on=due_on, parent=referral, request=request,
    )


def decline_reasons(municipality):
    return DeclineReason.objects.for_municipality(municipality).active()


# ---------------------------------------------------------------------------------------------- overdue


def referrals_notify_overdue(*, today: dt.date | None = None) -> int:
    """Tell both sides once about each referral left unanswered past its due date. Run daily; running it again
    (the same day or later, or two runs at once) tells nobody twice. Returns how many referrals were notified."""
    today = today or timezone.localdate()
    count = 0
    pending = Referral.all_objects.overdue(today).filter(overdue_notified_at__isnull=True).values_list("pk", flat=True)
    for pk in list(pending):
        with transaction.atomic():
            referral = (Referral.all_objects.select_for_update(skip_locked=True, of=("self",))
                        .filter(pk=pk, overdue_notified_at__isnull=True, status=ReferralStatus.SENT)
                        .select_related("kind", "case", "from_agency", "from_ward", "to_agency", "to_ward").first())
            if referral is None:
                continue
            people = {u.pk: u for u in [*notifications.receivers(referral), *notifications.senders(referral)]}
            notifications.notify(referral, NotificationKind.OVERDUE, people.values())
            referral.overdue_notified_at = timezone.now()
            referral.save(update_fields=["overdue_notified_at"])
            count += 1
    return count
