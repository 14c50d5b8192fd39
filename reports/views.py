"""The bureau's reports: aggregates only, never a name. One computation (reports.annual) behind every output."""

import dataclasses
import datetime as dt
from urllib.parse import quote

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import role_required
from accounts.models import Role
from audit.models import Action
from audit.services import audit_record
from cases.selectors import household_counts_by_ward
from core.replica import replica_reads
from core.wareki import fiscal_year, fiscal_year_bounds, fiscal_year_label

from . import exports, suppression
from .activities import activity_report
from .annual import Source, annual_report, latest_fiscal_year_with_data, ward_comparison
from .forms import FIRST_FISCAL_YEAR, AnnualReportForm, PeriodForm, ReferralReportForm
from .indicators import evaluation_indicators
from .layouts import layout_for
from .referrals import referral_report

bureau_view = role_required(Role.BUREAU, Role.ADMINISTRATOR)


@bureau_view
def overview(request):
    """Aggregates only: no name, address or note ever reaches this page."""
    wards = list(household_counts_by_ward(municipality=request.user.municipality))
    return render(
        request, "reports/overview.html", {"wards": wards, "household_total": sum(w.households for w in wards)}
    )


def _annual_params(request):
    municipality = request.user.municipality
    data = request.GET
    if "fy" not in data:  # open on the latest year with meetings, not on an empty one
        current = fiscal_year(timezone.localdate())
        latest = latest_fiscal_year_with_data(municipality=municipality, until=current)
        data = data.copy()
        data["fy"] = str(max(latest, FIRST_FISCAL_YEAR) if latest is not None else current - 1)
    form = AnnualReportForm(data, municipality=municipality)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    # One source per request: the page's tables, its ward comparison and a publication's cubes read each year once.
    return form, {"municipality": municipality, "fiscal_year": data["fy"], "compare": data.get("compare"),
                  "ward": data.get("ward"), "layout": layout_for(municipality), "source": Source(municipality)}


@bureau_view
@replica_reads()  # the figures from the read replica when there is one; the audit event to the primary
def annual(request):
    form, params = _annual_params(request)
    context = {"form": form}
    if params is not None:
        report = annual_report(**params)
        tables = [{**dataclasses.asdict(table), "chart": exports.chart_svg(report, table.key)}
                  for table in exports.present(report)]
        years = [(report.labels[str(y)], report.meetings[str(y)]) for y in report.fiscal_years]
        context.update(report=report, tables=tables, query=form.data.urlencode(), years=years,
                       comparison=None if params["ward"] else ward_comparison(
                           municipality=params["municipality"], fiscal_year=params["fiscal_year"], layout=params["layout"],
                           source=params["source"]))
    return render(request, "reports/annual.html", context, status=200 if params else 400)


@bureau_view
@replica_reads()  # the figures from the read replica when there is one; the audit event to the primary
def annual_download(request, fmt):
    form, params = _annual_params(request)
    if params is None:
        return render(request, "reports/annual.html", {"form": form}, status=400)
    report, comparison = _publication(params, form.cleaned_data.get("suppress"),
                                      comparison=fmt == "xlsx" and params["ward"] is None)
    # The file is named in the reader's language; _attachment keeps an ASCII fallback for old clients.
    name = _("つながる場_%(year)s_%(scope)s") % {"year": fiscal_year_label(report.fiscal_years[0]),
                                              "scope": report.ward or _("全区")}
    if fmt == "xlsx":  # a ward's workbook holds that ward only; the city's adds the ward comparison
        content = exports.to_xlsx(report, comparison if params["ward"] is None else None)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content, mime = exports.to_csv(report), "text/csv; charset=utf-8"
    return _download(request, "annual", fmt, content, mime, f"{name}.{fmt}")


@bureau_view
@replica_reads()  # the figures from the read replica when there is one; the audit event to the primary
def annual_wards_download(request):
    """The ward comparison of the year as CSV (the workbook has it as a sheet)."""
    form, params = _annual_params(request)
    if params is None:
        return render(request, "reports/annual.html", {"form": form}, status=400)
    params, threshold = {**params, "ward": None}, form.cleaned_data.get("suppress")
    if threshold:  # suppressed with the city's tables, as in the workbook
        _report, comparison = suppression.for_publication(annual_report(**params), threshold,
                                                          municipality=params["municipality"], layout=params["layout"],
                                                          source=params["source"])
    else:
        comparison = ward_comparison(municipality=params["municipality"], fiscal_year=params["fiscal_year"],
                                     layout=params["layout"], source=params["source"])
    return _download(request, "wards", "csv", exports.comparison_to_csv(comparison), "text/csv; charset=utf-8",
                     _("つながる場_区別の比較_%(year)s.csv") % {"year": comparison.label})


def _publication(params: dict, threshold: int | None, *, comparison: bool):
    """The yearly tables and the ward comparison of their year; suppressed together when asked (one rule, one cube
    per year, so no two downloads undo each other's suppression)."""
    report = annual_report(**params)
    if threshold:
        return suppression.for_publication(report, threshold, municipality=params["municipality"], layout=params["layout"],
                                           source=params["source"])
    if not comparison:
        return report, None
    return report, ward_comparison(municipality=params["municipality"], fiscal_year=params["fiscal_year"],
                                   layout=params["layout"], source=params["source"])


def _download(request, report: str, fmt: str, content: bytes, mime: str, filename: str) -> HttpResponse:
    audit_record(action=Action.EXPORT, request=request, detail={"report": report, "format": fmt, **{
        k: request.GET.get(k, "") for k in ("fy", "compare", "ward", "suppress")}})
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = _attachment(filename)
    return response


def _attachment(filename: str) -> str:
    return f"attachment; filename=\"report.{filename.rsplit('.', 1)[-1]}\"; filename*=UTF-8''{quote(filename)}"


def _default_period():
    """April of the current fiscal year up to the end of last month (001 compares April–January)."""
    today = timezone.localdate()
    start, _end = fiscal_year_bounds(fiscal_year(today))
    end = today.replace(day=1) - dt.timedelta(days=1)
    if end < start:
        start, _end = fiscal_year_bounds(fiscal_year(today) - 1)
    return start, end


@bureau_view
@replica_reads()  # the figures from the read replica when there is one; the audit event to the primary
def activities(request):
    municipality = request.user.municipality
    start, end = _default_period()
    form = PeriodForm(request.GET or {"start": start, "end": end}, municipality=municipality)
    context = {"form": form}
    if form.is_valid():
        data = form.cleaned_data
        report = activity_report(municipality=municipality, start=data["start"], end=data["end"], ward=data.get("ward"))
        by_month = report.consultations_by_month
        # A month with consultations only a year earlier is a row too (0 against last year's count).
        months = sorted(set(by_month["current"]) | {_year_shifted(m, 1) for m in by_month["previous"]})
        context.update(report=report, months=[
            (month, by_month["current"].get(month, 0), by_month["previous"].get(_year_shifted(month, -1), 0))
            for month in months
        ], indicators=evaluation_indicators(municipality=municipality, start=data["start"], end=data["end"],
                                            ward=data.get("ward")))
    return render(request, "reports/activities.html", context, status=200 if form.is_valid() else 400)


def _year_shifted(month: str, years: int) -> str:
    year, number = month.split("-")
    return f"{int(year) + years}-{number}"


@bureau_view
@replica_reads()  # the figures from the read replica when there is one; the audit event to the primary
def referrals(request):
    """つなぎの集計: sent, accepted, declined (by reason), median days to answer, overdue."""
    municipality = request.user.municipality
    form = ReferralReportForm(request.GET or {"fy": fiscal_year(timezone.localdate())}, municipality=municipality)
    context = {"form": form}
    if form.is_valid():
        context["report"] = referral_report(municipality=municipality, fiscal_year=form.cleaned_data["fy"],
                                            ward=form.cleaned_data.get("ward"))
    return render(request, "reports/referrals.html", context, status=200 if form.is_valid() else 400)
