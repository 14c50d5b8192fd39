"""The ledger import page: upload → preview of what will be created → confirm, with progress and cancelling.
Views stay thin: access function → form → service → redirect."""

import tempfile

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.models import Role
from audit.models import Action
from audit.services import audit_record
from core.wareki import fiscal_year_label

from . import jobs
from .access import import_job_for_user
from .export import ledger_export
from .forms import AliasForm, ExportForm, UploadForm
from .models import ImportJob

import_view = role_required(*jobs.IMPORTERS)


@import_view
def import_list(request):
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = jobs.job_submit(user=request.user, upload=upload, request=request)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("ledger:import_detail", job.pk)
    recent = ImportJob.objects.for_user(request.user).select_related("created_by", "ward").defer("plan", "errors")[:20]
    return render(request, "ledger/import_list.html", {"form": form, "jobs": recent},
                  status=400 if form.errors else 200)


@import_view
def import_detail(request, pk):
    job = import_job_for_user(request.user, pk)
    audit_record(action=Action.VIEW, request=request, obj=job)
    return render(request, "ledger/import_detail.html", {
        "job": job, "can_alias": request.user.role == Role.ADMINISTRATOR, "can_retry": jobs.job_may_retry(job),
        "years": sorted(job.preview.get("per_fiscal_year", {}).items()),
    })


def _act(request, pk, service, done_message, **kwargs):
    job = import_job_for_user(request.user, pk)
    try:
        service(user=request.user, job=job, request=request, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done_message)
    return redirect("ledger:import_detail", job.pk)


@require_POST
@import_view
def import_confirm(request, pk):
    """「取り込む」, with the groups of rows the user says are separate meetings (checked on the preview)."""
    separate = [int(row) for row in request.POST.getlist("separate") if row.isdigit()]
    return _act(request, pk, jobs.job_confirm, _("取り込みを始めました。終わるまでこのページで進み具合を確認できます。"),
                separate=separate)


@require_POST
@import_view
def import_cancel(request, pk):
    return _act(request, pk, jobs.job_cancel, _("取り消しを受け付けました。途中まで取り込んだものも残りません。"))


@require_POST
@import_view
def import_retry(request, pk):
    """「やり直す」: a job that failed, or whose worker is gone, runs again from its kept file."""
    return _act(request, pk, jobs.job_retry, _("もう一度始めました。終わるまでこのページで進み具合を確認できます。"))


@require_POST
@import_view
def alias_add(request, pk):
    form = AliasForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("表記ゆれの登録内容が正しくありません。"))
        return redirect("ledger:import_detail", import_job_for_user(request.user, pk).pk)
    data = form.cleaned_data
    return _act(request, pk, jobs.alias_add,
                _("「%(alias)s」を「%(target)s」として扱います。ファイルをもう一度確認しています。") % data, **data)


@import_view
def export(request):
    """The ward's (or, for administrators, the city's) held meetings as a ledger file in format v1."""
    form = ExportForm(request.GET if "format" in request.GET else None, user=request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        handle = tempfile.TemporaryFile()  # written a chunk at a time, then streamed: memory stays flat
        ledger_export(municipality=request.user.municipality, output=handle, ward=data["ward"],
                      fiscal_year=data["fiscal_year"], fmt=data["format"], user=request.user, request=request)
        handle.seek(0)
        parts = [_("開催台帳"), data["ward"].name if data["ward"] else request.user.municipality.name]
        if data["fiscal_year"]:
            parts.append(fiscal_year_label(data["fiscal_year"]))
        return FileResponse(handle, as_attachment=True, filename="_".join(parts) + "." + data["format"])
    return render(request, "ledger/export.html", {"form": form}, status=400 if form.errors else 200)
