"""Meetings and activities. Views stay thin: access function → form → service → redirect."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import read_view, role_required
from accounts.models import CASE_FILE_ROLES, Role
from audit.models import Action
from audit.services import audit_list, audit_record
from cases.models import Case
from cases.sharing import tasks_needing_consent
from core.forms import call_service
from core.pagination import page_query

from . import selectors, services
from .access import activity_for_user, can_write_meeting, discussion_for_user, meeting_for_user
from .forms import (
    ActivityForm,
    AgendaFormSet,
    AttendeeFormSet,
    MeetingCancelForm,
    MeetingRecordForm,
    MeetingScheduleForm,
    MeetingTaskFormSet,
)
from .models import Meeting, MeetingStatus

convene_view = role_required(Role.COORDINATOR, Role.SUPERVISOR)
activity_read_view = role_required(Role.COORDINATOR, Role.SUPERVISOR)
activity_write_view = role_required(Role.COORDINATOR)


@read_view
def meeting_list(request):
    filterset = selectors.meeting_list(user=request.user, params=request.GET)
    page = Paginator(filterset.qs, 30).get_page(request.GET.get("page"))
    audit_list(request=request, model=Meeting, objects=page.object_list)
    return render(request, "meetings/meeting_list.html", {
        "filter": filterset, "page": page, "query": page_query(request), "can_convene": request.user.role in (Role.COORDINATOR, Role.SUPERVISOR),
    })


def _schedule_form(request, *, initial):
    user = request.user
    cases = selectors.selectable_cases(user=user, ward=user.ward if user.role == Role.COORDINATOR else None)
    return MeetingScheduleForm(request.POST or None, user=user, cases=cases, initial=initial)


def _schedule_kwargs(cleaned) -> dict:
    return {name: cleaned[name] for name in ("ward", "kind", "basis", "title", "starts_at", "ends_at", "place",
                                             "sv_dispatched", "supervisor", "agencies", "cases")}


SCHEDULE_SINGLE = ("kind", "basis", "title", "starts_at", "ends_at", "place", "sv_dispatched", "supervisor")
SCHEDULE_MULTIPLE = ("agencies", "cases")


def _initial_from_query(query) -> dict:
    """The schedule form pre-filled from the address (a case's 「会議を招集する」, or back from recording consent)."""
    initial = {key: query[key] for key in SCHEDULE_SINGLE if query.get(key)}
    initial.update({key: query.getlist(key) for key in SCHEDULE_MULTIPLE if query.getlist(key)})
    if query.get("case"):
        initial["cases"] = [query["case"]]
    return initial


def _retry_url(post) -> str:
    """The schedule form again with what was entered: where to come back to after recording consent."""
    query = QueryDict(mutable=True)
    for key in SCHEDULE_SINGLE + SCHEDULE_MULTIPLE:
        if post.getlist(key):
            query.setlist(key, post.getlist(key))
    return f"{reverse('meetings:meeting_create')}?{query.urlencode()}"


@convene_view
def meeting_create(request):
    initial = {}
    if request.method == "GET":
        if "from_discussion" in request.GET:
            discussion = discussion_for_user(request.user, request.GET["from_discussion"])
            initial = selectors.follow_up_initial(discussion=discussion, municipality_id=request.user.municipality_id)
        else:
            initial = _initial_from_query(request.GET)
    form = _schedule_form(request, initial=initial)
    if request.method == "POST" and form.is_valid():
        meeting = call_service(form, services.meeting_schedule, user=request.user, request=request,
                               **_schedule_kwargs(form.cleaned_data))
        if meeting:
            messages.success(request, _("会議を登録しました。招集した機関の職員にも表示されます。"))
            return redirect("meetings:meeting_detail", meeting.pk)
    audit_list(request=request, model=Case, objects=form.fields["cases"].queryset, detail={"page": "meeting_form"})
    context = {"form": form, "retry_url": _retry_url(request.POST) if request.method == "POST" else ""}
    return render(request, "meetings/meeting_form.html", context, status=400 if form.errors else 200)


@read_view
def meeting_detail(request, pk):
    meeting = meeting_for_user(request.user, pk)
    audit_record(action=Action.VIEW, request=request, obj=meeting)
    context = {"meeting": meeting, "can_write": can_write_meeting(request.user, meeting),
               "opens_case_files": request.user.role in CASE_FILE_ROLES, **selectors.meeting_detail(meeting=meeting)}
    if context["can_write"] and meeting.status == MeetingStatus.SCHEDULED:
        context["cancel_form"] = MeetingCancelForm(initial={"version": meeting.version})
    return render(request, "meetings/meeting_detail.html", context)


@read_view
def meeting_print(request, pk):
    meeting = meeting_for_user(request.user, pk)
    audit_record(action=Action.EXPORT, request=request, obj=meeting, detail={"format": "print"})
    return render(request, "meetings/meeting_print.html",
                  {"meeting": meeting, "today": timezone.localdate(), **selectors.meeting_detail(meeting=meeting)})


@convene_view
def meeting_edit(request, pk):
    meeting = meeting_for_user(request.user, pk, write=True)
    if meeting.status != MeetingStatus.SCHEDULED:
        messages.error(request, _("開催予定の会議だけを変更できます。"))
        return redirect("meetings:meeting_detail", meeting.pk)
    detail = selectors.meeting_detail(meeting=meeting)
    initial = {
        "kind": meeting.kind, "basis": meeting.basis, "ward": meeting.ward, "title": meeting.title,
        "starts_at": meeting.starts_at, "ends_at": meeting.ends_at, "place": meeting.place,
        "sv_dispatched": meeting.sv_dispatched, "supervisor": meeting.supervisor,
        "agencies": [link.agency_id for link in detail["invited"]],
        "cases": [d.case_id for d in detail["discussions"]], "version": meeting.version,
    }
    user = request.user
    cases = selectors.selectable_cases(user=user, ward=meeting.ward)
    form = MeetingScheduleForm(request.POST or None, user=user, cases=cases, initial=initial)
    if request.method == "POST" and form.is_valid():
        updated = call_service(form, services.meeting_reschedule, user=user, meeting=meeting, request=request,
                               version=form.cleaned_data["version"] or 0, **_schedule_kwargs(form.cleaned_data))
        if updated:
            messages.success(request, _("会議の予定を変更しました。"))
            return redirect("meetings:meeting_detail", meeting.pk)
    else:
        audit_record(action=Action.VIEW, request=request, obj=meeting)
    audit_list(request=request, model=Case, objects=cases, detail={"page": "meeting_form"})
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": meeting}, status=400 if form.errors else 200)


@convene_view
def meeting_record(request, pk):
    meeting = meeting_for_user(request.user, pk, write=True)
    detail = selectors.meeting_detail(meeting=meeting)
    discussions = detail["discussions"]
    data = request.POST or None
    initial = {
        "version": meeting.version, "minutes": meeting.minutes, "decisions": meeting.decisions,
        "next_review_on": meeting.next_review_on,
        "attended_agencies": [link.agency_id for link in (detail["attended"] if meeting.status == MeetingStatus.HELD else detail["invited"])],
    }
    form = MeetingRecordForm(data, meeting=meeting, discussions=discussions, initial=initial,
                             issue_initial=selectors.record_initial(meeting=meeting, discussions=discussions))
    attendee_initial = [
        {"name": a.name, "agency": a.agency_id, "affiliation": a.affiliation, "is_internal": a.is_internal}
        for a in detail["attendees"]
    ]
    attendees = AttendeeFormSet(data, prefix="attendees", initial=attendee_initial, form_kwargs={"meeting": meeting})
    tasks = MeetingTaskFormSet(data, prefix="tasks", form_kwargs={"meeting": meeting, "discussions": discussions})
    agenda_initial = [
        {"title": item.title, "progress": item.progress, "is_concluded": item.is_concluded,
         "is_continuing": item.is_continuing, "carried_from": item.carried_from_id}
        for item in detail["agenda_items"]
    ] or [{"title": item.title, "carried_from": item.pk} for item in selectors.continuing_agenda(meeting=meeting)]
    agenda = AgendaFormSet(data, prefix="agenda", initial=agenda_initial)
    formsets = [attendees, tasks] + ([agenda] if meeting.is_network else [])
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for f in formsets):
        updated = call_service(
            form, services.meeting_record, user=request.user, meeting=meeting, request=request,
            version=form.cleaned_data["version"],
            attended_agencies=form.cleaned_data["attended_agencies"],
            attendees=[f.cleaned_data for f in attendees if f.cleaned_data],
            minutes=form.cleaned_data["minutes"], decisions=form.cleaned_data["decisions"],
            next_review_on=form.cleaned_data["next_review_on"], discussions=form.discussion_data(),
            tasks=[f.cleaned_data for f in tasks if f.cleaned_data],
            agenda_items=[f.cleaned_data for f in agenda if f.cleaned_data] if meeting.is_network else (),
        )
        if updated:
            messages.success(request, _("開催記録を保存しました。役割分担は各機関の画面に表示されます。"))
            return redirect("meetings:meeting_detail", meeting.pk)
    # The form shows the discussed cases' people again, whether it is the first view or a refused save.
    audit_record(action=Action.VIEW, request=request, obj=meeting)
    # The formsets take the names the detail's lists had: the form shows them as rows to edit.
    context = {**detail, "meeting": meeting, "form": form, "attendees": attendees, "tasks": tasks, "agenda": agenda,
               "consent_needed": _tasks_needing_consent(meeting, form, tasks) if request.method == "POST" else [],
               "retry_url": request.path}
    return render(request, "meetings/meeting_record.html", context, status=400 if request.method == "POST" else 200)


def _tasks_needing_consent(meeting, form, tasks) -> list:
    """(case, [agency]) for the tasks the record refused for want of a consent: where its links lead."""
    if not any(e.code == "task_consent_missing" for e in form.non_field_errors().as_data()):
        return []
    present = form.cleaned_data.get("attended_agencies", []) if meeting.basis_id else []
    return tasks_needing_consent([f.cleaned_data for f in tasks if f.cleaned_data], present=present)


@require_POST
@convene_view
def meeting_cancel(request, pk):
    meeting = meeting_for_user(request.user, pk, write=True)
    form = MeetingCancelForm(request.POST)
    if form.is_valid() and call_service(form, services.meeting_cancel, user=request.user, meeting=meeting,
                                        request=request, **form.cleaned_data):
        messages.success(request, _("会議を中止にしました。"))
    else:
        for error in form.non_field_errors() or [e for errors in form.errors.values() for e in errors]:
            messages.error(request, error)
    return redirect("meetings:meeting_detail", meeting.pk)


@activity_read_view
def activity_list(request):
    filterset = selectors.activity_list(user=request.user, params=request.GET)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(request, "meetings/activity_list.html", {
        "filter": filterset, "page": page, "query": page_query(request), "summary": selectors.activity_summary(filterset.qs),
        "can_write": request.user.role == Role.COORDINATOR,
        "form": ActivityForm(user=request.user) if request.user.role == Role.COORDINATOR else None,
    })


@activity_write_view
def activity_create(request):
    form = ActivityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        if call_service(form, services.activity_record, user=request.user, ward=request.user.ward, request=request,
                        **form.cleaned_data):
            messages.success(request, _("活動を記録しました。"))
            return redirect("meetings:activity_list")
    return render(request, "meetings/activity_form.html", {"form": form}, status=400 if form.errors else 200)


@activity_write_view
def activity_edit(request, pk):
    activity = activity_for_user(request.user, pk, write=True)
    form = ActivityForm(request.POST or None, user=request.user, instance=activity)
    if request.method == "POST" and form.is_valid():
        if call_service(form, services.activity_update, user=request.user, activity=activity, request=request,
                        **form.cleaned_data):
            messages.success(request, _("活動の記録を変更しました。"))
            return redirect("meetings:activity_list")
    return render(request, "meetings/activity_form.html", {"form": form, "activity": activity}, status=400 if form.errors else 200)


@require_POST
@activity_write_view
def activity_delete(request, pk):
    activity = activity_for_user(request.user, pk, write=True)
    services.activity_delete(user=request.user, activity=activity, request=request)
    messages.success(request, _("活動の記録を削除しました。"))
    return redirect("meetings:activity_list")
