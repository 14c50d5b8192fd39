from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import case_file_view, write_view
from audit.models import Action
from audit.services import audit_list, audit_record
from cases import services
from cases.access import household_for_user, member_for_user
from cases.ecomap_data import household_ecomap as build_ecomap
from cases.forms import (
    HouseholdCreateForm,
    HouseholdEditForm,
    HouseholdMergeForm,
    HouseholdSearchForm,
    MemberForm,
)
from cases.models import Household
from cases.probes import duplicate_probe
from cases.selectors import household_history, household_overview, household_search
from core.forms import call_service
from core.pagination import page_query
from core.searches import search_recall, search_redirect


@case_file_view
def household_list(request):
    """The search box posts its terms; the list shows them at ?s=<key> (core.searches), never in the URL."""
    if request.method == "POST" or "q" in request.GET:
        form = HouseholdSearchForm(request.POST if request.method == "POST" else request.GET)
        if form.is_valid():
            return search_redirect(request, reverse("cases:household_list"), {"q": form.cleaned_data["q"]})
        terms = {}
    else:
        terms = search_recall(request)
        form = HouseholdSearchForm(initial=terms)
    query = terms.get("q", "")
    page = Paginator(household_search(user=request.user, query=query), 50).get_page(request.GET.get("page"))
    audit_list(request=request, model=Household, objects=page.object_list, detail={"page": page.number, "search": bool(query)})
    return render(request, "cases/household_list.html", {"page": page, "form": form, "query": page_query(request)})


@write_view
def household_create(request):
    form = HouseholdCreateForm(request.POST or None)
    duplicates = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            duplicates = duplicate_probe(request=request, kana=data["name_kana"], birth_date=data["birth_date"],
                                         address=data["address"])
        except ValidationError as refusal:  # too many probes: nothing looked up, nothing saved
            form.add_error(None, refusal)
            return render(request, "cases/household_create.html", {"form": form}, status=429)
        if (duplicates.mine or duplicates.elsewhere) and not data["confirm_new"]:
            audit_list(request=request, model=Household, objects=duplicates.mine, detail={"duplicates": True})
            form.data = form.data.copy()
            form.data["confirm_new"] = "1"
        else:
            household = call_service(
                form, services.household_create, user=request.user, ward=request.user.ward, address=data["address"],
                phone=data["phone"], note=data["note"], primary=form.primary(), request=request,
            )
            if household:
                messages.success(request, _("世帯を登録しました。続けて事例を開始できます。"))
                return redirect("cases:household_detail", household.pk)
    return render(request, "cases/household_create.html", {"form": form, "duplicates": duplicates})


@case_file_view
def household_detail(request, pk):
    household = household_for_user(request.user, pk)
    audit_record(action=Action.VIEW, request=request, obj=household)
    context = {"household": household, "history": household_history(household=household),
               **household_overview(household=household)}
    context["ecomap_svg"] = build_ecomap(household=household, overview=context)
    return render(request, "cases/household_detail.html", context)


@case_file_view
def household_ecomap(request, pk):
    """The eco-map alone, as an SVG file to print or attach."""
    household = household_for_user(request.user, pk)
    audit_record(action=Action.EXPORT, request=request, obj=household, detail={"format": "ecomap-svg"})
    svg = build_ecomap(household=household, overview=household_overview(household=household), inline=False)
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="ecomap-{household.pk}.svg"'
    return response


@write_view
def household_edit(request, pk):
    household = household_for_user(request.user, pk, write=True)
    form = HouseholdEditForm(request.POST or None, instance=household)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if call_service(form, services.household_update, user=request.user, household=household,
                        expected_version=data["version"], address=data["address"], phone=data["phone"],
                        note=data["note"], request=request):
            messages.success(request, _("世帯の情報を保存しました。"))
            return redirect("cases:household_detail", household.pk)
    elif request.method == "GET":
        audit_record(action=Action.VIEW, request=request, obj=household)
    return render(request, "cases/household_edit.html", {"form": form, "household": household})


@write_view
def member_create(request, pk):
    household = household_for_user(request.user, pk, write=True)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        if call_service(form, services.member_add, user=request.user, household=household, request=request, **fields):
            messages.success(request, _("世帯員を追加しました。"))
            return redirect("cases:household_detail", household.pk)
    return render(request, "cases/member_form.html", {"form": form, "household": household})


@write_view
def member_edit(request, pk):
    member = member_for_user(request.user, pk, write=True)
    form = MemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        if call_service(form, services.member_update, user=request.user, member=member,
                        expected_version=form.cleaned_data["version"], request=request, **fields):
            messages.success(request, _("世帯員の情報を保存しました。"))
            return redirect("cases:household_detail", member.household_id)
    elif request.method == "GET":
        audit_record(action=Action.VIEW, request=request, obj=member)
    return render(request, "cases/member_form.html", {"form": form, "household": member.household, "member": member})



@write_view
def household_merge(request, pk):
    source = household_for_user(request.user, pk, write=True)
    form = HouseholdMergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            target = household_for_user(request.user, form.cleaned_data["target"], write=True)
        except Http404:
            form.add_error("target", _("世帯 #%(number)s は見つかりません（担当区の世帯を指定してください）。") % {"number": form.cleaned_data["target"]})
        else:
            if call_service(form, services.household_merge, user=request.user, source=source, target=target,
                            reason=form.cleaned_data["reason"], request=request):
                messages.success(request, _("世帯 #%(source)s をこの世帯に統合しました。") % {"source": source.pk})
                return redirect("cases:household_detail", target.pk)
    elif request.method == "GET":
        audit_record(action=Action.VIEW, request=request, obj=source)
    return render(request, "cases/household_merge.html", {"form": form, "household": source})
