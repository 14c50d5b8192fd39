"""Writes on meetings and activities. Each is one transaction and leaves an audit event.

The legal rules of DOMAIN.md §4 live here: a basis that needs consent cannot take a case whose primary
person has no valid consent for つながる場での協議 on the meeting day, covering every agency present; every
attendee of a statutory-confidentiality meeting is recorded as bound by 守秘義務.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from audit.models import Action
from audit.services import audit_record
from cases.models import Case, Consent, ConsentPurpose
from cases.services import task_assign
from cases.sharing import refusal, sharing_consent
from core.history import attribute_to
from core.locking import check_version
from core.wareki import format_wareki

from .models import (
    Activity,
    ActivityKind,
    AgendaItem,
    Confidentiality,
    Meeting,
    MeetingAgency,
    MeetingAttendee,
    MeetingBasis,
    MeetingCase,
    MeetingCaseIssue,
    MeetingKind,
    MeetingStatus,
    MeetingTask,
)
from .selectors import issues_on

# Which activity kinds need which count (seed 001 reports のべ機関 / のべ事例 / participants).
ACTIVITY_REQUIRED_COUNTS = {
    ActivityKind.LIAISON: "agency_count",
    ActivityKind.WARD_INITIATIVE: "agency_count",
    ActivityKind.CASE_REVIEW: "case_count",
    ActivityKind.TRAINING: "participant_count",
}


# ---------------------------------------------------------------------------------------------- consent


def meeting_consent(*, case: Case, basis: MeetingBasis | None, day: dt.date, agencies=()) -> tuple[Consent | None, list[str]]:
    """The consent that lets `case` be discussed under `basis` on `day`, and what is missing if none does.

    Returns (consent, problems). A basis that does not need consent returns (None, []).
    """
    if basis is None or not basis.requires_consent:
        return None, []
    primary = case.household.members.filter(is_primary=True).first()
    if primary is None:
        return None, [_("事例 %(case)s の世帯に本人が登録されていません。") % {"case": case.number}]
    consents = list(
        Consent.objects.filter(member=primary, purpose=ConsentPurpose.MEETING).valid_on(day).prefetch_related("agencies")
    )
    day_label = format_wareki(day)
    if not consents:
        return None, [
            _("事例 %(case)s の本人には、開催日（%(day)s）に有効な「%(purpose)s」の同意がありません。")
            % {"case": case.number, "day": day_label, "purpose": ConsentPurpose.MEETING.label}
        ]
    agencies = list(agencies)
    best, best_missing = None, None
    for consent in consents:
        missing = [agency for agency in agencies if not consent.covers(agency)]
        if best_missing is None or len(missing) < len(best_missing):
            best, best_missing = consent, missing
    if best_missing:
        return None, [
            _("事例 %(case)s の本人の同意は、次の機関を対象に含んでいません：%(agencies)s。")
            % {"case": case.number, "agencies": "、".join(agency.name for agency in best_missing)}
        ]
    return best, []


def _consent_error(problems: list[str], basis: MeetingBasis | None) -> ValidationError:
    advice = _(
        "本人の「つながる場での協議」の同意を記録してから登録してください。同意が得られない事例は、"
        "要件を満たす場合に限り、同意がなくても協議できる支援会議（社会福祉法第106条の6）として開催できます。"
    )
    return ValidationError(
        [
            _("開催根拠「%(basis)s」では、本人の同意がないと個人情報を協議できません。") % {"basis": basis.name if basis else ""},
            *problems,
            advice,
        ],
        code="consent_missing",
    )


# ------------------------------------------------------------------------------------------- validation


def _check_schedule(*, user, ward, kind: MeetingKind, basis, starts_at, ends_at, supervisor, sv_dispatched, agencies, cases):
    municipality_id = user.municipality_id
    if ward.municipality_id != municipality_id:
        raise ValidationError(_("他の自治体の区・圏域には会議を登録できません。"), code="other_municipality")
    if user.role == Role.COORDINATOR and ward.pk != user.ward_id:
        raise ValidationError(_("担当の区・圏域の会議だけを登録できます。"), code="other_ward")
    if kind.municipality_id not in (None, municipality_id) or (basis and basis.municipality_id not in (None, municipality_id)):
        raise ValidationError(_("会議種別または開催根拠を正しく選んでください。"), code="invalid_master")
    if not kind.is_network_meeting and basis is None:
        raise ValidationError(_("個別の事例を協議する会議では、開催根拠を選んでください。"), code="basis_required")
    if kind.is_network_meeting and cases:
        raise ValidationError(
            _("「%(kind)s」は議題を扱う会議です。個別の事例は協議できません。") % {"kind": kind.name}, code="network_cases"
        )
    if ends_at is not None and ends_at < starts_at:
        raise ValidationError(_("終了日時は開始日時より後にしてください。"), code="ends_before_start")
    if supervisor is not None:
        if not sv_dispatched:
            raise ValidationError(_("SVを選んだときは「SV派遣」を有にしてください。"), code="sv_not_dispatched")
        if supervisor.role != Role.SUPERVISOR or supervisor.municipality_id != municipality_id:
            raise ValidationError(_("派遣されたSVには、スーパーバイザーの利用者を選んでください。"), code="not_supervisor")
    for agency in agencies:
        if agency.municipality_id != municipality_id:
            raise ValidationError(_("他の自治体の機関は招集できません。"), code="other_municipality_agency")
    day = timezone.localdate(starts_at)
    for case in cases:
        if case.ward_id != ward.pk:
            raise ValidationError(
                _("事例 %(case)s は%(ward)sの事例ではありません。会議と同じ区・圏域の事例を選んでください。")
                % {"case": case.number, "ward": ward.name},
                code="case_other_ward",
            )
        if not case.is_open and case.closed_on and case.closed_on < day:
            raise ValidationError(
                _("事例 %(case)s は開催日より前に終結しています。") % {"case": case.number}, code="case_closed"
            )
    problems = []
    consents = {}
    for case in cases:
        consent, missing = meeting_consent(case=case, basis=basis, day=day, agencies=agencies)
        problems += missing
        consents[case.pk] = consent
    if problems:
        raise _consent_error(problems, basis)
    return consents


# ---------------------------------------------------------------------------------------------- meetings


def _dispatch_supervisors(meeting: Meeting, cases) -> None:
    """An SV dispatched to a meeting (or convening it) is dispatched to the cases it discusses
    (docs/access-policy.md): they may then open those cases' files, read-only, like any dispatched SV."""
    supervisors = {user for user in (meeting.supervisor, meeting.convener)
                   if user is not None and user.role == Role.SUPERVISOR}
    for case in cases:
        for supervisor in supervisors:
            case.supervisors.add(supervisor)


@transaction.atomic
def meeting_schedule(*, user, ward, kind, starts_at, basis=None, ends_at=None, place="", title="", sv_dispatched=False,
                     supervisor=None, agencies=(), cases=(), request=None) -> Meeting:
    """招集: a meeting planned for a day, with the agencies invited and the cases to discuss."""
    agencies, cases = list(agencies), list(cases)
    consents = _check_schedule(user=user, ward=ward, kind=kind, basis=basis, starts_at=starts_at, ends_at=ends_at,
                               supervisor=supervisor, sv_dispatched=sv_dispatched, agencies=agencies, cases=cases)
    meeting = Meeting(
        municipality_id=user.municipality_id, ward=ward, kind=kind, basis=basis, title=title, starts_at=starts_at,
        ends_at=ends_at, place=place, convener=user, sv_dispatched=sv_dispatched, supervisor=supervisor,
        created_by=user,
    )
    attribute_to(meeting, user)
    meeting.save()
    MeetingAgency.objects.bulk_create(MeetingAgency(meeting=meeting, agency=agency) for agency in agencies)
    MeetingCase.objects.bulk_create(
        MeetingCase(meeting=meeting, case=case, consent=consents.get(case.pk)) for case in cases
    )
    _dispatch_supervisors(meeting, cases)
    audit_record(action=Action.CREATE, request=request, user=user, obj=meeting,
                 detail={"cases": len(cases), "agencies": len(agencies)})
    return meeting


@transaction.atomic
def meeting_reschedule(*, user, meeting: Meeting, version: int, ward, kind, starts_at, basis=None, ends_at=None,
                       place="", title="", sv_dispatched=False, supervisor=None, agencies=(), cases=(),
                       request=None) -> Meeting:
    """Changes a meeting not yet held: time, place, basis, invitations and cases (consent checked again)."""
    current = check_version(meeting, version, fields=["starts_at", "place", "basis", "kind", "title"])
    if current.status != MeetingStatus.SCHEDULED:
        raise ValidationError(_("開催予定の会議だけを変更できます。"), code="not_scheduled")
    agencies, cases = list(agencies), list(cases)
    consents = _check_schedule(user=user, ward=ward, kind=kind, basis=basis, starts_at=starts_at, ends_at=ends_at,
                               supervisor=supervisor, sv_dispatched=sv_dispatched, agencies=agencies, cases=cases)
    for name, value in {"ward": ward, "kind": kind, "basis": basis, "starts_at": starts_at, "ends_at": ends_at,
                        "place": place, "title": title, "sv_dispatched": sv_dispatched, "supervisor": supervisor}.items():
        setattr(current, name, value)
    current.version += 1
    attribute_to(current, user)
    current.save()
    current.agency_links.exclude(agency__in=agencies).delete()
    have = set(current.agency_links.values_list("agency_id", flat=True))
    MeetingAgency.objects.bulk_create(MeetingAgency(meeting=current, agency=a) for a in agencies if a.pk not in have)
    current.discussions.exclude(case__in=cases).delete()
    for case in cases:
        MeetingCase.objects.update_or_create(meeting=current, case=case, defaults={"consent": consents.get(case.pk)})
    _dispatch_supervisors(current, cases)
    audit_record(action=Action.UPDATE, request=request, user=user, obj=current,
                 detail={"cases": len(cases), "agencies": len(agencies)})
    return current


@transaction.atomic
def meeting_record(*, user, meeting: Meeting, version: int, attended_agencies=(), attendees=(), minutes="",
                   decisions="", next_review_on=None, discussions=None, tasks=(), agenda_items=(),
                   request=None) -> Meeting:
    """開催記録: who came, what was decided, the issues of each case as discussed, and 役割分担.

    `discussions` maps a discussed case's id to {"issues": [(category, suspected)], "note": str}; a case
    left out keeps its issues as they stood on the day. `tasks` are new role assignments
    ({"case", "agency", "task", "due_on", "person"}), written on the discussed cases.
    """
    current = check_version(meeting, version, fields=["minutes", "decisions", "next_review_on"])
    attended = list(attended_agencies)
    discussed = _check_record(current, attended=attended, next_review_on=next_review_on, tasks=tasks)
    _record_agencies(current, attended)
    _record_attendees(current, attendees)
    _record_discussions(current, discussed, discussions or {})
    _record_tasks(current, user, tasks)
    if current.kind.is_network_meeting:
        _record_agenda(current, agenda_items)
    current.minutes, current.decisions, current.next_review_on = minutes, decisions, next_review_on
    current.status = MeetingStatus.HELD
    current.version += 1
    attribute_to(current, user)
    current.save()
    audit_record(action=Action.UPDATE, request=request, user=user, obj=current,
                 detail={"held": True, "tasks": len(tasks), "attended_agencies": len(attended)})
    return current


def _check_record(current: Meeting, *, attended: list, next_review_on, tasks) -> dict:
    """Everything that can refuse the record, before anything is written: {case id: discussion} when it may."""
    if current.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("中止した会議には記録できません。"), code="cancelled")
    day = current.held_on
    if day > timezone.localdate():
        raise ValidationError(_("開催日より前には、開催記録を登録できません。"), code="not_yet_held")
    if next_review_on is not None and next_review_on < day:
        raise ValidationError(_("次回の見直し日は開催日以降にしてください。"), code="review_before_meeting")
    discussed = {d.case_id: d for d in current.discussions.select_related("case__household").prefetch_related("case__issues")}
    if not current.kind.is_network_meeting and not discussed:
        raise ValidationError(_("協議した事例がありません。先に会議の予定に事例を加えてください。"), code="no_cases")
    for agency in attended:
        if agency.municipality_id != current.municipality_id:
            raise ValidationError(_("他の自治体の機関は出席者にできません。"), code="other_municipality_agency")
    # The consent rule again, on the day and for the agencies actually present (it may have been withdrawn).
    problems = []
    for discussion in discussed.values():
        consent, missing = meeting_consent(case=discussion.case, basis=current.basis, day=day, agencies=attended)
        problems += missing
        discussion.consent = consent
    if problems:
        raise _consent_error(problems, current.basis)
    present = {agency.pk for agency in attended}
    refused = []
    for task in tasks:
        if task["case"].pk not in discussed:
            raise ValidationError(_("役割分担は、この会議で協議した事例にだけ登録できます。"), code="task_case")
        if task["agency"].municipality_id != current.municipality_id:
            raise ValidationError(_("他の自治体の機関には役割分担できません。"), code="task_agency")
        if task.get("due_on") and task["due_on"] < day:
            raise ValidationError(_("役割分担の期限は開催日以降にしてください。"), code="task_due")
        # The sharing gate (cases.sharing): an agency present at a meeting that lawfully discussed the case (its
        # basis passed the consent check above for the agencies present) heard the case already; any other agency
        # needs a consent to share that covers it.
        task["discussed_at_meeting"] = current.basis is not None and task["agency"].pk in present
        if not task["discussed_at_meeting"]:
            _consent, missing = sharing_consent(case=task["case"], agency=task["agency"], day=timezone.localdate())
            if missing:
                refused.append(_("%(agency)sは会議に出席していないため、役割分担を依頼するには本人の同意が必要です。")
                               % {"agency": task["agency"].name})
                refused += missing
    if refused:
        raise refusal([*refused, _("出席した機関に依頼するか、本人の「他機関への提供」または「情報共有」の同意"
                                   "（その機関を対象に含むもの）を記録してから登録してください。")],
                      code="task_consent_missing")
    return discussed


def _record_agencies(current: Meeting, attended: list) -> None:
    """Agencies present: invitations kept, the uninvited who came added."""
    links = {link.agency_id: link for link in current.agency_links.all()}
    present = {agency.pk for agency in attended}
    for agency_id, link in links.items():
        if link.attended != (agency_id in present):
            link.attended = agency_id in present
            link.save(update_fields=["attended"])
    MeetingAgency.objects.bulk_create(
        MeetingAgency(meeting=current, agency=agency, invited=False, attended=True)
        for agency in attended if agency.pk not in links
    )


def _record_attendees(current: Meeting, attendees) -> None:
    """People present, each bound by the confidentiality of the basis."""
    confidentiality = (
        Confidentiality.STATUTORY if current.basis and current.basis.statutory_confidentiality else Confidentiality.AGREEMENT
    )
    current.attendees.all().delete()
    MeetingAttendee.objects.bulk_create(
        MeetingAttendee(meeting=current, confidentiality=confidentiality, name=person["name"],
                        agency=person.get("agency"), affiliation=person.get("affiliation", ""),
                        is_internal=person.get("is_internal", False))
        for person in attendees
    )


def _record_discussions(current: Meeting, discussed: dict, given_by_case: dict) -> None:
    """The issues of each case as discussed (pre-filled from the case on the day unless given)."""
    day = current.held_on
    for case_id, discussion in discussed.items():
        given = given_by_case.get(case_id)
        if given is None and discussion.issues_recorded:
            continue
        if given is None:
            issues = [(issue.category, issue.suspected) for issue in issues_on(discussion.case, day)]
            note = discussion.note
        else:
            issues, note = given.get("issues", []), given.get("note", discussion.note)
        discussion.issues.all().delete()
        seen = set()
        rows = []
        for category, suspected in issues:
            if category.pk not in seen:
                seen.add(category.pk)
                rows.append(MeetingCaseIssue(discussion=discussion, category=category, suspected=suspected))
        MeetingCaseIssue.objects.bulk_create(rows)
        discussion.note = note
        discussion.issues_recorded = True
        discussion.save(update_fields=["note", "issues_recorded", "consent"])


def _record_tasks(current: Meeting, user, tasks) -> None:
    """役割分担 as tasks on the discussed cases (cases' service), attached to the case's current plan if it
    has one; the meeting keeps the link (MeetingTask)."""
    plans: dict = {}
    for task in tasks:
        case = task["case"]
        if case.pk not in plans:
            plans[case.pk] = case.plans.order_by("-version").first()
        assigned = task_assign(user=user, case=case, plan=plans[case.pk], agency=task["agency"],
                               person=task.get("person", ""), task=task["task"], due_on=task.get("due_on"),
                               discussed_at_meeting=task.get("discussed_at_meeting", False))
        MeetingTask.objects.create(meeting=current, task=assigned)


def _record_agenda(meeting: Meeting, items):
    meeting.agenda_items.all().delete()
    for item in items:
        if item.get("is_concluded") and item.get("is_continuing"):
            raise ValidationError(
                _("議題「%(title)s」は、解決と継続テーマの両方にはできません。") % {"title": item["title"]},
                code="agenda_both",
            )
        carried = None
        if item.get("carried_from") is not None:  # an earlier item's id, from the form
            carried = AgendaItem.objects.filter(pk=item["carried_from"], meeting__municipality_id=meeting.municipality_id).first()
            if carried is None:
                raise ValidationError(_("前回からの継続には、同じ自治体の議題を選んでください。"), code="agenda_carried")
        AgendaItem.objects.create(meeting=meeting, title=item["title"], progress=item.get("progress", ""),
                                  is_concluded=item.get("is_concluded", False),
                                  is_continuing=item.get("is_continuing", False), carried_from=carried)


@transaction.atomic
def meeting_cancel(*, user, meeting: Meeting, version: int, reason: str, request=None) -> Meeting:
    current = check_version(meeting, version, fields=["starts_at", "place"])
    if current.status != MeetingStatus.SCHEDULED:
        raise ValidationError(_("開催予定の会議だけを中止にできます。"), code="not_scheduled")
    if not reason.strip():
        raise ValidationError(_("中止の理由を入力してください。"), code="reason_required")
    current.status = MeetingStatus.CANCELLED
    current.cancel_reason = reason.strip()
    current.version += 1
    attribute_to(current, user)
    current.save(update_fields=["status", "cancel_reason", "version", "updated_at"])
    audit_record(action=Action.UPDATE, request=request, user=user, obj=current, detail={"cancelled": True})
    return current


# -------------------------------------------------------------------------------------------- activities


def _check_activity(*, user, ward, kind, held_on, agency_count, case_count, participant_count, agencies):
    if ward.municipality_id != user.municipality_id:
        raise ValidationError(_("他の自治体の区・圏域には登録できません。"), code="other_municipality")
    if user.role == Role.COORDINATOR and ward.pk != user.ward_id:
        raise ValidationError(_("担当の区・圏域の活動だけを登録できます。"), code="other_ward")
    if kind not in ActivityKind.values:
        raise ValidationError(_("活動の種類を正しく選んでください。"), code="invalid_kind")
    if held_on > timezone.localdate():
        raise ValidationError(_("実施日に未来の日付は入力できません。"), code="future")
    counts = {"agency_count": agency_count, "case_count": case_count, "participant_count": participant_count}
    required = ACTIVITY_REQUIRED_COUNTS.get(kind)
    if required and not counts[required]:
        label = str(Activity._meta.get_field(required).verbose_name)
        raise ValidationError(
            _("「%(kind)s」では%(label)sを入力してください。") % {"kind": ActivityKind(kind).label, "label": label},
            code="count_required",
        )
    if agency_count is not None and len(agencies) > agency_count:
        raise ValidationError(_("参加機関数が、選んだ機関の数より少なくなっています。"), code="agency_count_low")
    for agency in agencies:
        if agency.municipality_id != user.municipality_id:
            raise ValidationError(_("他の自治体の機関は選べません。"), code="other_municipality_agency")


@transaction.atomic
def activity_record(*, user, ward, kind, held_on, title="", agency_count=None, case_count=None,
                    participant_count=None, agencies=(), note="", request=None) -> Activity:
    agencies = list(agencies)
    if agencies and agency_count is None:
        agency_count = len(agencies)
    _check_activity(user=user, ward=ward, kind=kind, held_on=held_on, agency_count=agency_count, case_count=case_count,
                    participant_count=participant_count, agencies=agencies)
    activity = Activity(municipality_id=user.municipality_id, ward=ward, kind=kind, held_on=held_on, title=title,
                        agency_count=agency_count, case_count=case_count, participant_count=participant_count,
                        note=note, created_by=user)
    activity.save()
    if agencies:
        activity.agencies.set(agencies)
    audit_record(action=Action.CREATE, request=request, user=user, obj=activity)
    return activity


@transaction.atomic
def activity_update(*, user, activity: Activity, kind, held_on, title="", agency_count=None, case_count=None,
                    participant_count=None, agencies=(), note="", request=None) -> Activity:
    agencies = list(agencies)
    if agencies and agency_count is None:
        agency_count = len(agencies)
    _check_activity(user=user, ward=activity.ward, kind=kind, held_on=held_on, agency_count=agency_count,
                    case_count=case_count, participant_count=participant_count, agencies=agencies)
    for name, value in {"kind": kind, "held_on": held_on, "title": title, "agency_count": agency_count,
                        "case_count": case_count, "participant_count": participant_count, "note": note}.items():
        setattr(activity, name, value)
    activity.save()
    activity.agencies.set(agencies)
    audit_record(action=Action.UPDATE, request=request, user=user, obj=activity)
    return activity


@transaction.atomic
def activity_delete(*, user, activity: Activity, request=None) -> None:
    audit_record(action=Action.DELETE, request=request, user=user, obj=activity)
    activity.delete()

