"""Erasure requests (本人からの削除請求): file, approve twice, receipt. No page names a person."""

import csv
import io
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.models import Case, Household
from core.forms import call_service
from core.spreadsheet import neutralise
from core.wareki import format_date, format_datetime

from . import services
from .access import erasure_for_user, erasure_view
from .anonymise import LABELS
from .forms import ErasureRequestForm, FindHouseholdForm, RejectForm
from .selectors import erasure_requests_for, last_anonymisation


@erasure_view
def request_list(request):
    return render(request, "retention/request_list.html", {"requests": erasure_requests_for(request.user)[:200]})


def _household_found(user, case_number: str) -> Household | None:
    case = Case.all_objects.filter(municipality_id=user.municipality_id, number=case_number.strip()).first()
    if case is None:
        return None
    household = case.household
    while household.merged_into_id:  # a merged household's people live on in the one it was merged into
        household = household.merged_into
    return household


def _household_context(household: Household) -> dict:
    return {"household": household, "household_cases": household.cases.order_by("received_on", "pk"),
            "members": household.members.all(), "anonymised": last_anonymisation(household)}


@erasure_view
def request_create(request):
    if request.method == "POST":
        household = get_object_or_404(Household.all_objects, pk=request.POST.get("household"),
                                      municipality_id=request.user.municipality_id)
        form = ErasureRequestForm(request.POST, household=household)
        if form.is_valid():
            erasure = call_service(form, services.erasure_request_file, user=request.user, household=household,
                                   member=form.cleaned_data["member"], ground=form.cleaned_data["ground"],
                                   received_on=form.cleaned_data["received_on"], note=form.cleaned_data["note"],
                                   request=request)
            if erasure is not None:
                messages.success(request, _("削除請求 %(number)s を受け付けました。2人の承認で消去します。") % {"number": erasure.number})
                return redirect("retention:request_detail", erasure.pk)
        return render(request, "retention/request_form.html", {"form": form, **_household_context(household)}, status=400)
    find = FindHouseholdForm(request.GET or None)
    context: dict = {"find": find}
    if find.is_valid():
        household = _household_found(request.user, find.cleaned_data["case_number"])
        if household is None:
            find.add_error("case_number", _("この事例番号の事例はありません。"))
        else:
            context.update(form=ErasureRequestForm(household=household), **_household_context(household))
    return render(request, "retention/request_form.html", context)


@erasure_view
def request_detail(request, pk):
    erasure = erasure_for_user(request.user, pk)
    return render(request, "retention/request_detail.html", {
        "erasure": erasure, "reject_form": RejectForm(), "erased": _erased(erasure),
        "may_approve": erasure.is_open and request.user.pk not in (erasure.requested_by_id, erasure.first_approved_by_id),
    })


@require_POST
@erasure_view
def request_approve(request, pk):
    erasure = erasure_for_user(request.user, pk)
    try:
        erasure = services.erasure_request_approve(user=request.user, erasure=erasure, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("消去しました。受付票を印刷して保管してください。") if erasure.status == "done"
                         else _("承認しました。もう1人の承認で消去します。"))
    return redirect("retention:request_detail", erasure.pk)


@require_POST
@erasure_view
def request_reject(request, pk):
    erasure = erasure_for_user(request.user, pk)
    form = RejectForm(request.POST)
    if form.is_valid() and call_service(form, services.erasure_request_reject, user=request.user, erasure=erasure,
                                        reason=form.cleaned_data["reason"], request=request):
        messages.success(request, _("却下しました。"))
        return redirect("retention:request_detail", erasure.pk)
    return render(request, "retention/request_detail.html", {
        "erasure": erasure, "reject_form": form, "erased": _erased(erasure), "may_approve": False}, status=400)


def _erased(erasure) -> list[tuple[str, int]]:
    return [(str(LABELS.get(key, key)), n) for key, n in (erasure.erased or {}).items()]


def _receipt_rows(erasure) -> list[tuple[str, str]]:
    def who(user):
        return user.display_name if user else ""

    def when(value):
        return format_datetime(value) if value else ""

    rows = [
        (_("受付番号"), erasure.number), (_("自治体"), erasure.municipality.name), (_("状況"), erasure.get_status_display()),
        (_("請求の種類"), erasure.get_ground_display()), (_("請求の受付日"), format_date(erasure.received_on)),
        (_("対象"), erasure.scope_label), (_("受付者"), who(erasure.requested_by)), (_("受付日時"), when(erasure.requested_at)),
        (_("承認者（1人目）"), who(erasure.first_approved_by)), (_("承認日時（1人目）"), when(erasure.first_approved_at)),
        (_("承認者（2人目）"), who(erasure.second_approved_by)), (_("承認日時（2人目）"), when(erasure.second_approved_at)),
        (_("消去の日時"), when(erasure.executed_at)),
    ]
    if erasure.rejected_by_id:
        rows += [(_("却下した人"), who(erasure.rejected_by)), (_("却下の日時"), when(erasure.rejected_at))]
    rows += [(_("消去した内容：%(what)s") % {"what": label}, _("%(n)d件") % {"n": n}) for label, n in _erased(erasure)]
    return rows


@erasure_view
def receipt(request, pk):
    erasure = erasure_for_user(request.user, pk)
    return render(request, "retention/receipt.html", {"erasure": erasure, "rows": _receipt_rows(erasure)})


@erasure_view
def receipt_csv(request, pk):
    erasure = erasure_for_user(request.user, pk)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("項目"), _("内容")])
    for label, value in _receipt_rows(erasure):
        writer.writerow([neutralise(label), neutralise(value)])
    response = HttpResponse(("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    filename = _("削除請求受付票_%(number)s.csv") % {"number": erasure.number}
    response["Content-Disposition"] = f"attachment; filename=\"receipt.csv\"; filename*=UTF-8''{quote(filename)}"
    return response
