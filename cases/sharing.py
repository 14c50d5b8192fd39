"""The sharing gate (docs/access-policy.md): what lets personal details of a case reach an agency.

One rule for a referral (つなぎ) and a task (役割分担): the household's primary person consented to 「他機関への
提供」 or 「情報共有」, valid on the day, covering that agency — or a statutory basis written down as a record
(a 支援会議 that discussed the case, in the meetings app). An agency never opens the case file itself: it sees
its task, or what a referral passed on, and only while the window is open.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.wareki import format_wareki

from .models import CaseStatus, Consent, ConsentPurpose, RoleAssignment, TaskSharing

SHARING_PURPOSES = (ConsentPurpose.PROVISION, ConsentPurpose.SHARING)

# What a task lets its agency see while it is open: who the person is and how to reach them, and the issues it
# works on. Keys are the referral's SharedItem values, so an agency holding a task may pass these on, no more.
TASK_ITEMS = ("identity", "issues")


def sharing_consent(*, case, day: dt.date, agency=None, ward=None) -> tuple[Consent | None, list[str]]:
    """The consent that lets personal information of `case` go to `agency` (or a ward office) on `day`,
    or the sentences saying what is missing.

    Consent to 「他機関への提供」 or 「情報共有」 by the household's primary person, valid on the day, that
    names the agency or covers all agencies (a ward office is covered only by 「すべての関係機関」).
    """
    primary = case.household.members.filter(is_primary=True).first()
    if primary is None:
        return None, [_("事例 %(case)s の世帯に本人が登録されていません。") % {"case": case.number}]
    consents = list(
        Consent.objects.filter(member=primary, purpose__in=SHARING_PURPOSES).valid_on(day).prefetch_related("agencies")
    )
    if not consents:
        return None, [
            _("事例 %(case)s の本人には、%(day)s時点で有効な「他機関への提供」または「情報共有」の同意がありません。")
            % {"case": case.number, "day": format_wareki(day)}
        ]
    for consent in consents:
        if consent.all_agencies or (agency is not None and consent.covers(agency)):
            return consent, []
    receiver = agency.name if agency is not None else _("%(ward)s役所") % {"ward": ward.name}
    return None, [_("事例 %(case)s の本人の同意は、%(receiver)sを対象に含んでいません。") % {"case": case.number, "receiver": receiver}]


def refusal(messages: list, *, code: str) -> ValidationError:
    """Several sentences of one refusal, each carrying its code (forms show them all; the API reports the code)."""
    return ValidationError([ValidationError(message, code=code) for message in messages])


def tasks_needing_consent(tasks, *, present=(), day: dt.date | None = None) -> list[tuple[object, list]]:
    """[(case, [agency])] for the tasks (dicts with "case" and "agency") whose agency is not among `present` and no
    consent to share covers on `day`: where a refused plan or meeting record links to recording that consent."""
    day = day or timezone.localdate()
    present_ids = {agency.pk for agency in present}
    needed: dict = {}
    for task in tasks:
        case, agency = task["case"], task.get("agency")
        if agency is None or agency.pk in present_ids or agency in needed.get(case, []):
            continue
        if sharing_consent(case=case, agency=agency, day=day)[1]:
            needed.setdefault(case, []).append(agency)
    return [(case, sorted(agencies, key=lambda a: a.name)) for case, agencies in needed.items()]


# ------------------------------------------------------------------------------------------- task window


def task_window(task: RoleAssignment, today: dt.date | None = None) -> tuple[bool, str]:
    """Whether the task's agency may see the person's details now, or why not (a sentence for the page)."""
    today = today or timezone.localdate()
    if task.sharing_basis == TaskSharing.NONE:
        return False, _("この役割分担は、本人の同意または法令上の根拠がないまま依頼されたため、個人情報は共有されていません。"
                        "詳しくは事例を担当する区役所に問い合わせてください。")
    if not task.is_pending:
        return False, _("この役割分担は「%(status)s」になったため、共有された情報は閲覧できなくなりました。") % {
            "status": task.get_status_display()}
    if task.case.status == CaseStatus.CLOSED:
        return False, _("事例が終結したため、共有された情報は閲覧できなくなりました。")
    if task.sharing_basis == TaskSharing.CONSENT and (task.consent is None or not task.consent.is_valid_on(today)):
        return False, _("本人が同意を撤回したため、共有された情報は閲覧できなくなりました。")
    return True, ""


@dataclass
class TaskInformation:
    """What the task's agency sees of the case through one task."""

    available: bool
    reason: str = ""
    primary: object = None
    address: str = ""
    phone: str = ""
    issues: list = field(default_factory=list)


def task_information(task: RoleAssignment, today: dt.date | None = None) -> TaskInformation:
    available, reason = task_window(task, today)
    if not available:
        return TaskInformation(False, reason)
    household = task.case.household
    return TaskInformation(
        True,
        primary=household.members.filter(is_primary=True).first(),
        address=household.address,
        phone=household.phone,
        issues=list(task.case.issues.filter(resolved_on__isnull=True).select_related("category")),
    )


def open_task_items(*, agency_id: int, case_id: int, today: dt.date | None = None) -> set[str]:
    """The items an agency holds about a case through its open tasks (what it may pass on by a referral)."""
    tasks = (RoleAssignment.objects.pending().filter(agency_id=agency_id, case_id=case_id)
             .exclude(sharing_basis=TaskSharing.NONE).select_related("case", "consent"))
    if any(task_window(task, today)[0] for task in tasks):
        return set(TASK_ITEMS)
    return set()
