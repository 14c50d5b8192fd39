"""What a referral passes on (docs/access-policy.md), in one place.

- A sender passes on only what it may see itself: a coordinator of the case's ward (or an SV dispatched to it)
  everything of the case; an agency only the items it holds — through a referral it received that is still in its
  hands, or a task whose window is open (cases.sharing) — and of those, the copy it holds, never fresher data.
- A statutory basis points at a real record: a 支援会議 (or another meeting on a basis that needs no consent) held
  on or before today, that discussed this case, with the receiver among its agencies (or its ward office).
- What is shared is a copy taken when it is sent (`Referral.snapshot`), not a window into the live case; the
  receiver reads it while the referral is in hand (依頼中・受理・対応中) and its consent holds.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from cases.models import Case
from cases.sharing import open_task_items, refusal
from core.text import join_list
from core.wareki import format_wareki
from meetings.models import Meeting, MeetingStatus

from .models import SHARING_STATUSES, Referral, SharedItem, SharingBasis

MEETING_BASES = (SharingBasis.SUPPORT_MEETING, SharingBasis.CARE_MEETING, SharingBasis.CHILD_COUNCIL)


# ---------------------------------------------------------------------------------------------- the copy


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _member_notes(member) -> list[str]:
    """The support a member gets, as the shared 世帯構成 shows it (labels, no name)."""
    return [str(label) for label in member.support_labels]


def _relationship(member) -> str:
    display = getattr(member, "get_relationship_display", None)
    value = display() if display is not None else member.relationship
    return str(value or (_("本人") if member.is_primary else ""))


def section_of(case: Case, item: str) -> object:
    """One item of the case as it stands now, as JSON (dates as ISO strings)."""
    household = case.household
    if item == SharedItem.IDENTITY:
        primary = household.members.filter(is_primary=True).first()
        return {
            "name": primary.name if primary else None, "name_kana": primary.name_kana if primary else None,
            "birth_date": _iso(primary.birth_date) if primary else None, "age": primary.age if primary else None,
            "age_is_estimated": bool(primary and primary.age_is_estimated),
            "address": household.address, "phone": household.phone,
        }
    if item == SharedItem.HOUSEHOLD:
        return [{"relationship": _relationship(m), "sex": m.sex, "sex_label": str(m.get_sex_display()), "age": m.age,
                 "notes": _member_notes(m)}
                for m in household.members.all() if not m.moved_out_on and not m.deceased_on]
    if item == SharedItem.ISSUES:
        return [{"category": issue.category.name, "suspected": issue.suspected}
                for issue in case.issues.filter(resolved_on__isnull=True).select_related("category")]
    if item == SharedItem.CONSULTATIONS:
        return [{"held_at": _iso(c.held_at), "method": c.method, "method_label": str(c.get_method_display()),
                 "summary": c.summary} for c in case.consultations.order_by("-held_at")[:5]]
    if item == SharedItem.PLAN:
        plan = case.plans.order_by("-version").first()
        tasks = case.tasks.select_related("agency").filter(plan=plan) if plan else []
        return {"goals": plan.goals if plan else None,
                "tasks": [{"agency": t.agency.name, "task": t.task, "due_on": _iso(t.due_on)} for t in tasks]}
    raise ValueError(item)


# ------------------------------------------------------------------------------------- what a sender holds


LIVE = None  # in held_items: the item is read from the case as it stands when it is sent


def held_items(user, case: Case, today: dt.date | None = None) -> dict[str, object]:
    """{item: the copy this user holds, or LIVE} for what this user may pass on about `case` (no query for LIVE)."""
    today = today or timezone.localdate()
    if Case.objects.for_user(user).filter(pk=case.pk).exists():
        return dict.fromkeys(SharedItem.values, LIVE)
    if user.role != Role.AGENCY_WORKER:
        return {}
    held: dict[str, object] = {}
    received = (Referral.all_objects.filter(case=case, to_agency_id=user.agency_id, status__in=SHARING_STATUSES)
                .select_related("consent").order_by("-sent_at", "-pk"))
    for referral in received:
        if referral_window(referral, today)[0]:
            for item in referral.shares:
                held.setdefault(item, referral.snapshot.get(item))
    for item in open_task_items(agency_id=user.agency_id, case_id=case.pk, today=today):
        held.setdefault(item, LIVE)
    return held


def check_items(user, case: Case, shares: list[str]) -> dict[str, object]:
    """The copy of each chosen item, or a refusal naming the items this sender does not hold."""
    held = held_items(user, case)
    missing = [str(SharedItem(item).label) for item in shares if item not in held]
    if missing:
        raise refusal([_("次の情報は、あなたの機関が受け取っていないため渡せません：%(items)s。") % {"items": join_list(missing)},
                       _("渡せるのは、受け取ったつなぎ（対応中のもの）や役割分担で共有された情報だけです。")],
                      code="share_not_held")
    return {item: section_of(case, item) if held[item] is LIVE else held[item] for item in shares}


# -------------------------------------------------------------------------------------- statutory record


def basis_meetings(case: Case, *, to_agency=None, to_ward=None, today: dt.date | None = None):
    """Meetings on a basis that needs no consent, held by today, that discussed `case` with the receiver present
    (an agency invited or attending; a ward office that convened it)."""
    today = today or timezone.localdate()
    meetings = Meeting.all_objects.filter(municipality_id=case.municipality_id).filter(status=MeetingStatus.HELD, held_on__lte=today, basis__requires_consent=False,
                               discussions__case=case)
    if to_agency is not None:
        meetings = meetings.filter(agency_links__agency=to_agency)
    elif to_ward is not None:
        meetings = meetings.filter(ward=to_ward)
    else:
        return meetings.none()
    return meetings.select_related("basis", "kind").distinct().order_by("-held_on", "-pk")


def check_basis_meeting(*, case: Case, meeting: Meeting | None, to_agency=None, to_ward=None) -> Meeting:
    if meeting is None:
        raise ValidationError(
            _("法令に基づく会議を根拠にするときは、この事例を協議し、依頼先も参加したその会議を選んでください。"),
            code="basis_meeting_required",
        )
    if not basis_meetings(case, to_agency=to_agency, to_ward=to_ward).filter(pk=meeting.pk).exists():
        raise ValidationError(
            _("%(day)sの「%(meeting)s」は根拠にできません。開催済みで、同意なしに協議できる開催根拠の会議のうち、"
              "この事例を協議し依頼先が参加したものだけを選べます。")
            % {"day": format_wareki(meeting.held_on), "meeting": meeting.kind.name},
            code="basis_meeting_invalid",
        )
    return meeting


# ------------------------------------------------------------------------------------------- reading it


def referral_window(referral: Referral, today: dt.date) -> tuple[bool, str]:
    """Whether the receiver may read what was passed on now, or why not."""
    if not referral.shares:
        return False, _("この依頼は個人情報を含めずに送られています。詳しくは依頼元に問い合わせてください。")
    if referral.status not in SHARING_STATUSES:
        return False, _("この依頼は「%(status)s」となったため、共有された情報は閲覧できなくなりました。") % {
            "status": referral.get_status_display()}
    if referral.sharing_basis == SharingBasis.CONSENT and referral.consent is not None:
        if not referral.consent.is_valid_on(today):
            return False, _("本人が同意を撤回したため、共有された情報は閲覧できなくなりました。")
    return True, ""
