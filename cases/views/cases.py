from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import case_file_view, read_view, role_required, write_view
from accounts.models import Role
from audit.models import Action
from audit.services import audit_list, audit_record
from cases import services
from cases.access import case_for_user, consent_for_user, household_for_user, task_for_user
from cases.forms import (
    CaseEditForm,
    CaseOpenForm,
    CaseSearchForm,
    ConsentForm,
    ConsultationForm,
    IssueForm,
    PlanForm,
    TaskFormSet,
    TaskStatusForm,
    TransitionForm,
)
from cases.models import Case, ConsentPurpose, TaskStatus
from cases.selectors import case_detail as select_case_detail
from cases.selectors import case_list as select_cases
from cases.services.cases import available_transitions
from cases.sharing import task_information, tasks_needing_consent
from core.forms import call_service
from core.http import safe_next
from core.pagination import page_query
from core.searches import search_recall, search_redirect


@case_file_view
def case_list(request):
    """Filters (status, ward …) stay in the URL; a name or number searched for is kept at ?s=<key> (core.searches)."""
    if request.method == "POST" or "q" in request.GET:
        data = request.POST if request.method == "POST" else request.GET
        search_form = CaseSearchForm(data)
        if search_form.is_valid():
            return search_redirect(request, reverse("cases:case_list"), {"q": search_form.cleaned_data["q"]}, data)
        terms = {}
    else:
        terms = search_recall(request)
        search_form = CaseSearchForm(initial=terms)
    search = select_cases(user=request.user, params=request.GET, query=terms.get("q", ""))
    page = Paginator(search.qs, 50).get_page(request.GET.get("page"))
    audit_list(request=request, model=Case, objects=page.object_list, detail={"page": page.number, "search": bool(terms)})
    return render(request, "cases/case_list.html", {"filter": search, "search_form": search_form, "page": page,
                                                    "query": page_query(request)})


@write_view
def case_create(request, pk):
    household = household_for_user(request.user, pk, write=True)
    form = CaseOpenForm(request.POST or None, municipality_id=request.user.municipality_id, ward=household.ward_id)
    if request.method == "POST" and form.is_valid():
        case = call_service(form, services.case_open, user=request.user, household=household, request=request, **form.cleaned_data)
        if case:
            messages.success(request, _("事例 %(number)s を受け付けました。") % {"number": case.number})
            return redirect("cases:case_detail", case.pk)
    return render(request, "cases/case_form.html", {"form": form, "household": household})


def _case_page(request, case, **forms):
    context = {
        "case": case,
        "transitions": available_transitions(case) if request.user.role == Role.COORDINATOR else [],
        "consultation_form": forms.get("consultation_form") or ConsultationForm(municipality_id=case.municipality_id,
                                                                             ward=case.ward_id),
        "issue_form": forms.get("issue_form") or IssueForm(case=case),
        "transition_form": forms.get("transition_form") or TransitionForm(),
        "can_write": request.user.role == Role.COORDINATOR,
        "can_convene": request.user.role in (Role.COORDINATOR, Role.SUPERVISOR),
        "can_refer": request.user.role in (Role.COORDINATOR, Role.AGENCY_WORKER),
        **select_case_detail(case=case),
    }
    return render(request, "cases/case_detail.html", context, status=400 if forms else 200)


@case_file_view
def case_detail(request, pk):
    case = case_for_user(request.user, pk)
    audit_record(action=Action.VIEW, request=request, obj=case)
    return _case_page(request, case)


@write_view
def case_edit(request, pk):
    case = case_for_user(request.user, pk, write=True)
    form = CaseEditForm(request.POST or None, instance=case, municipality_id=case.municipality_id)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        if call_service(form, services.case_update, user=request.user, case=case,
                        expected_version=form.cleaned_data["version"], request=request, **fields):
            messages.success(request, _("事例の情報を保存しました。"))
            return redirect("cases:case_detail", case.pk)
    elif request.method == "GET":
        audit_record(action=Action.VIEW, request=request, obj=case)
    return render(request, "cases/case_edit.html", {"form": form, "case": case})


@require_POST
@write_view
def case_transition(request, pk):
    case = case_for_user(request.user, pk, write=True)
    form = TransitionForm(request.POST)
    if form.is_valid() and call_service(form, services.case_transition, user=request.user, case=case,
                                        action=form.cleaned_data["action"], reason=form.cleaned_data["reason"], request=request):
        messages.success(request, _("事例の状況を変更しました。"))
        return redirect("cases:case_detail", case.pk)
    return _case_page(request, case, transition_form=form)


@require_POST
@write_view
def consultation_create(request, pk):
    case = case_for_user(request.user, pk, write=True)
    form = ConsultationForm(request.POST, municipality_id=case.municipality_id, ward=case.ward_id)
    if form.is_valid() and call_service(form, services.consultation_record, user=request.user, case=case, request=request, **form.cleaned_data):
        messages.success(request, _("相談記録を保存しました。"))
        return redirect("cases:case_detail", case.pk)
    return _case_page(request, case, consultation_form=form)


@require_POST
@write_view
def issue_create(request, pk):
    case = case_for_user(request.user, pk, write=True)
    form = IssueForm(request.POST, case=case)
    if form.is_valid() and call_service(form, services.case_issue_add, user=request.user, case=case, request=request, **form.cleaned_data):
        messages.success(request, _("課題を追加しました。"))
        return redirect("cases:case_detail", case.pk)
    return _case_page(request, case, issue_form=form)


@require_POST
@write_view
def issue_resolve(request, pk, issue_pk):
    case = case_for_user(request.user, pk, write=True)
    issue = get_object_or_404(case.issues.select_related("category"), pk=issue_pk)
    try:
        services.case_issue_resolve(user=request.user, issue=issue, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("課題「%(name)s」を解消済みにしました。") % {"name": issue.category.name})
    return redirect("cases:case_detail", case.pk)


@write_view
def consent_create(request, pk):
    case = case_for_user(request.user, pk, write=True)
    purpose = request.GET.get("purpose")
    initial = {"purpose": purpose} if purpose in ConsentPurpose.values else {}
    # Recorded from a meeting that needed it (?agency=…): the agencies that meeting convenes are chosen already.
    initial["agencies"] = [pk for pk in request.GET.getlist("agency") if pk.isdigit()]
    form = ConsentForm(request.POST or None, case=case, initial=initial)
    if request.method == "POST" and form.is_valid():
        if call_service(form, services.consent_record, user=request.user, request=request, **form.cleaned_data):
            messages.success(request, _("本人同意を記録しました。"))
            # Back to where the user was going (e.g. the meeting that needed this consent).
            return redirect(safe_next(request) or reverse("cases:case_detail", args=[case.pk]))
    elif request.method == "GET":
        audit_record(action=Action.VIEW, request=request, obj=case)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    return render(request, "cases/consent_form.html", {"form": form, "case": case, "next": next_url})


@require_POST
@write_view
def consent_withdraw(request, pk):
    consent = consent_for_user(request.user, pk, write=True)
    try:
        services.consent_withdraw(user=request.user, consent=consent, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("同意の撤回を記録しました。"))
    return redirect(safe_next(request) or reverse("cases:household_detail", args=[consent.member.household_id]))


@write_view
def plan_create(request, pk):
    case = case_for_user(request.user, pk, write=True)
    form = PlanForm(request.POST or None)
    formset = TaskFormSet(request.POST or None, form_kwargs={"municipality_id": case.municipality_id, "ward": case.ward_id},
                          prefix="tasks")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        tasks = [f.cleaned_data for f in formset if f.cleaned_data]
        if call_service(form, services.plan_create, user=request.user, case=case, tasks=tasks, request=request, **form.cleaned_data):
            messages.success(request, _("支援プランを保存しました。"))
            return redirect("cases:case_detail", case.pk)
    elif request.method == "GET":
        audit_record(action=Action.VIEW, request=request, obj=case)
    uncovered = []
    if request.method == "POST" and formset.is_valid():
        needed = tasks_needing_consent([{**f.cleaned_data, "case": case} for f in formset if f.cleaned_data])
        uncovered = needed[0][1] if needed else []
    return render(request, "cases/plan_form.html", {"form": form, "formset": formset, "case": case,
                                                    "uncovered": uncovered, "retry_url": request.path},
                  status=400 if request.method == "POST" else 200)


@read_view
def task_detail(request, pk):
    """A task as its agency sees it: the task, and the person's details while the sharing gate lets it."""
    task = task_for_user(request.user, pk)
    shared = task_information(task)
    audit_record(action=Action.VIEW, request=request, obj=task, detail={"shared": shared.available})
    can_open_case = request.user.role != Role.AGENCY_WORKER
    return render(request, "cases/task_detail.html", {"task": task, "shared": shared, "can_open_case": can_open_case,
                                                       "task_statuses": TaskStatus.choices})


@require_POST
@role_required(Role.COORDINATOR, Role.AGENCY_WORKER)
def task_status(request, pk):
    task = task_for_user(request.user, pk, write=True)
    form = TaskStatusForm(request.POST)
    if form.is_valid() and call_service(form, services.task_set_status, user=request.user, task=task,
                                        status=form.cleaned_data["status"], request=request):
        messages.success(request, _("役割分担の状況を「%(status)s」にしました。") % {"status": task.get_status_display()})
    else:
        messages.error(request, _("状況を変更できませんでした。"))
    return redirect(safe_next(request) or reverse("home:dashboard"))
