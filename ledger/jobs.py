"""Ledger imports from the web page: upload → check (preview) → confirm → import, in the background worker.

The worker is Django's task API on a PostgreSQL queue (django-tasks-db): `manage.py db_worker` runs beside
the web server and needs no other server. The services below change a job's state under a row lock; the
task `run_job` does the reading and writing. While it runs it reports progress, and notices a request to
cancel, through the second database connection (settings `DATABASES["progress"]`), because its own work
is one transaction that nobody else can see until it commits. Cancelling rolls that transaction back.
"""

import logging
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import storages
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from accounts.models import Role
from audit.models import Action
from audit.services import audit_record
from core.text import join_list

from .importer import ImportCancelled, LedgerRejected, Masters, Result, check, import_ledger
from .models import AliasKind, ImportJob, JobStatus, LedgerImport, NameAlias
from .notices import Notice
from .parsing import LedgerFile, LedgerFileError, Limits, estimate_rows, inspect_file, megabytes

logger = logging.getLogger(__name__)

IMPORTERS = (Role.ADMINISTRATOR, Role.COORDINATOR)
PROGRESS_DB = "progress"
# A worker holds a PostgreSQL advisory lock (this class, the job's id) on its own connection while it runs a job.
# PostgreSQL drops it when that connection ends, so a job still 「確認しています」 or 「取り込んでいます」 whose lock
# nobody holds was left by a worker that is gone (killed, or its connection cut): its transaction was rolled back.
WORKER_LOCK = 7015


def _may_import(user):
    if user.role not in IMPORTERS:
        raise PermissionDenied


def _locked(job: ImportJob) -> ImportJob:
    return ImportJob.objects.select_for_update().get(pk=job.pk)


# ------------------------------------------------------------------------------------------------ services


def _storage():
    return storages["ledger"]


def ledger_file(job: ImportJob) -> LedgerFile:
    """The job's uploaded file, read from storage as a stream."""
    return LedgerFile.from_storage(_storage(), job.stored_name, job.filename)


@transaction.atomic
def job_submit(*, user, upload: File, request=None) -> ImportJob:
    """Take an uploaded ledger into file storage and queue its check. Refuses what is plainly not a ledger file.

    The upload is copied a chunk at a time (never read whole into memory); the stored file's name is ours,
    not the user's, and the user's name is kept for display. Only cheap checks run here (parsing.inspect_file:
    size, type by the first bytes, an xlsx's zip directory without decompressing anything); the worker reads
    the rows, within parsing.Limits.
    """
    _may_import(user)
    name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255]
    extension = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if extension not in ("xlsx", "csv"):
        raise ValidationError(_("Excel（.xlsx）か CSV（.csv）のファイルを選んでください。"), code="extension")
    if not upload.size:
        raise ValidationError(_("ファイルが空です。"), code="empty")
    limits = Limits.current()
    if upload.size > limits.upload_bytes:
        raise ValidationError(_("ファイルが大きすぎます（%(limit)sMBまで）。台帳を複数のファイルに分けてください。")
                              % {"limit": megabytes(limits.upload_bytes)}, code="too_large")
    stored = _storage().save(f"{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{extension}", upload)
    try:
        file = LedgerFile.from_storage(_storage(), stored, name)
        try:
            inspect_file(file, limits)
        except LedgerFileError as refused:
            raise ValidationError(refused.notice.text(), code=refused.notice.kind) from None
        job = ImportJob.objects.create(
            municipality_id=user.municipality_id, ward_id=user.ward_id if user.role == Role.COORDINATOR else None,
            created_by=user, filename=name, sha256=file.sha256(), stored_name=stored, size=upload.size, phase="check")
    except Exception:
        _storage().delete(stored)
        raise
    # The file is opened (and its rows counted) by the worker only, never inside this web request.
    run_job.enqueue(job.pk)
    audit_record(action=Action.CREATE, request=request, user=user, obj=job, detail={"file": name, "bytes": upload.size})
    return job


@transaction.atomic
def job_confirm(*, user, job: ImportJob, separate=(), request=None) -> ImportJob:
    """The user has seen the preview: import it. `separate`: the first rows of the groups of rows that the
    check found to be one meeting and the user says are separate meetings (the others are written once)."""
    _may_import(user)
    job = _locked(job)
    if job.status != JobStatus.CHECKED:
        raise ValidationError(_("この取り込みは確認済みの状態ではありません（%(status)s）。") % {"status": job.get_status_display()},
                              code="not_checked")
    separate = sorted(set(separate))
    plan = Result.from_json(job.plan, job.municipality) if _has_plan(job) else None
    if plan is not None:
        unknown = set(separate) - {group.rows[0] for group in plan.duplicates}
        if unknown:
            raise ValidationError(_("行%(rows)sは同じ会議として示した行ではありません。") % {"rows": join_list(sorted(unknown))},
                                  code="not_duplicate")
        plan.choose_separate(separate)
        job.plan, job.preview = plan.to_json(), plan.preview()
        job.notices = [n.as_json() for n in plan.notices()[:ImportJob.NOTICES_KEPT]]
    else:  # no plan (an old job, or a ward or category gone since the check): the import checks again
        job.plan = {"separate": separate} if separate else {}
    # With the check's plan the import reads the file once; without it, twice.
    job.status, job.phase, job.rows_done = JobStatus.QUEUED_IMPORT, "import" if plan is not None else "check", 0
    job.rows_total = (1 if plan is not None else 2) * job.preview.get("rows", 0)
    job.save(update_fields=["status", "phase", "rows_done", "rows_total", "plan", "preview", "notices"])
    run_job.enqueue(job.pk)
    audit_record(action=Action.UPDATE, request=request, user=user, obj=job,
                 detail={"confirm": True, **({"separate": separate} if separate else {})})
    return job


def _has_plan(job: ImportJob) -> bool:
    return "cases" in job.plan


def worker_holds(job: ImportJob) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
                       " AND classid = %s AND objid = %s AND objsubid = 2)", [WORKER_LOCK, job.pk])
        return cursor.fetchone()[0]


def job_may_retry(job: ImportJob) -> bool:
    """Whether the job stopped without finishing and can run again: it failed, or the worker running it is gone.
    Its file must still be kept (parsing.Limits and purge_uploads decide how long)."""
    if not job.stored_name:
        return False
    if job.status == JobStatus.FAILED:
        return True
    return job.status in (JobStatus.CHECKING, JobStatus.IMPORTING) and not worker_holds(job)


@transaction.atomic
def job_retry(*, user, job: ImportJob, request=None) -> ImportJob:
    """Run again a job that stopped without finishing (「やり直す」). Nothing of the first attempt is left: its
    import was one transaction, rolled back when it failed or when its worker's connection ended. A job that
    had been confirmed is imported again (with its check's plan when it has one); any other is checked again."""
    _may_import(user)
    job = _locked(job)
    if not job_may_retry(job):
        if job.status in (JobStatus.CHECKING, JobStatus.IMPORTING):
            raise ValidationError(_("この取り込みはまだ動いています。"), code="running")
        if job.status == JobStatus.FAILED:
            raise ValidationError(_("ファイルが残っていないため、やり直せません。もう一度ファイルを送ってください。"), code="no_file")
        raise ValidationError(_("やり直せるのは、途中で止まった取り込みだけです（%(status)s）。")
                              % {"status": job.get_status_display()}, code="not_stopped")
    if not _storage().exists(job.stored_name):
        raise ValidationError(_("ファイルが残っていないため、やり直せません。もう一度ファイルを送ってください。"), code="no_file")
    previous = job.status
    confirmed = bool(job.preview)  # only a check that succeeded leaves a preview, and only a confirmed job runs after it
    if confirmed:
        plan = _has_plan(job)
        job.status, job.phase = JobStatus.QUEUED_IMPORT, "import" if plan else "check"
        job.rows_total = (1 if plan else 2) * job.preview.get("rows", 0)
    else:
        job.status, job.phase, job.rows_total = JobStatus.QUEUED_CHECK, "check", 0
    job.rows_done, job.cancel_requested, job.notice, job.finished_at = 0, False, {}, None
    job.save(update_fields=["status", "phase", "rows_total", "rows_done", "cancel_requested", "notice", "finished_at"])
    run_job.enqueue(job.pk)
    audit_record(action=Action.UPDATE, request=request, user=user, obj=job, detail={"retry": True, "was": previous})
    return job


@transaction.atomic
def job_cancel(*, user, job: ImportJob, request=None) -> ImportJob:
    """Stop a job. A running one stops at its next chunk and leaves nothing behind; a waiting one never runs."""
    _may_import(user)
    job = _locked(job)
    if job.status in (JobStatus.CHECKING, JobStatus.IMPORTING):
        job.cancel_requested = True
        job.save(update_fields=["cancel_requested"])
    elif job.status in ImportJob.OPEN:
        _finish(job, JobStatus.CANCELLED, Notice("cancelled"))
    else:
        raise ValidationError(_("この取り込みはもう終わっています（%(status)s）。") % {"status": job.get_status_display()},
                              code="finished")
    audit_record(action=Action.UPDATE, request=request, user=user, obj=job, detail={"cancel": True})
    return job


@transaction.atomic
def alias_add(*, user, job: ImportJob, kind: str, alias: str, target: str, request=None) -> NameAlias:
    """「…を…として扱う」 from the error screen: an alias for the job's municipality, then the file is checked again."""
    if user.role != Role.ADMINISTRATOR:
        raise PermissionDenied
    job = _locked(job)
    if job.status != JobStatus.REJECTED:
        raise ValidationError(_("誤りのある取り込みでだけ、表記ゆれを登録できます。"), code="not_rejected")
    if kind not in AliasKind.values:
        raise ValidationError(_("表記ゆれの対象が正しくありません。"), code="kind")
    if not job.stored_name:
        raise ValidationError(_("ファイルが残っていないため、もう一度確認できません。もう一度ファイルを送ってください。"), code="no_file")
    alias = alias.strip()
    masters = Masters(job.municipality)
    if target not in masters.objects[kind]:
        raise ValidationError(_("「%(target)s」はマスタにありません。") % {"target": target}, code="target")
    if not alias or masters.find(kind, alias) is not None:  # a master name, or an alias built in or added before
        raise ValidationError(_("「%(alias)s」はもう読み取れる名称です。") % {"alias": alias}, code="known")
    created, _new = NameAlias.objects.get_or_create(municipality=job.municipality, kind=kind, alias=alias[:100],
                                                    defaults={"target": target})
    audit_record(action=Action.CREATE, request=request, user=user, obj=created, detail={"alias": alias, "target": target})
    job.status, job.phase, job.rows_done, job.errors, job.error_count = JobStatus.QUEUED_CHECK, "check", 0, [], 0
    job.save(update_fields=["status", "phase", "rows_done", "errors", "error_count"])
    run_job.enqueue(job.pk)
    return created


def _finish(job: ImportJob, status, notice: Notice, **fields):
    """End a job: its file is no longer needed once it is imported or abandoned. A failed job keeps its file
    and its plan, to be tried again (job_retry); a rejected one its file, to be checked again after an alias is
    taught. Those files are deleted after settings LEDGER_REJECTED_UPLOAD_DAYS (manage.py purge_uploads)."""
    job.status, job.notice, job.finished_at = status, notice.as_json(), timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    if status in (JobStatus.DONE, JobStatus.CANCELLED, JobStatus.DUPLICATE) and job.stored_name:
        # Delete the file once the row says so: a rollback after this point leaves a row without a file,
        # never a file nobody knows of.
        stored, job.stored_name = job.stored_name, ""
        transaction.on_commit(lambda: _storage().delete(stored), using=job._state.db or "default")
    if status != JobStatus.FAILED:
        job.plan = {}  # an ended job has nothing left to import
    job.save()


# ------------------------------------------------------------------------------------------------ the task


class _Reporter:
    """The progress callback: writes how far it has got and stops when asked, on the side connection."""

    def __init__(self, job: ImportJob, offset: dict):
        self.job, self.offset = job, offset
        self.side = ImportJob.objects.using(PROGRESS_DB).filter(pk=job.pk)

    def __call__(self, phase, done, total):
        self.side.update(phase=phase, rows_done=self.offset.get(phase, 0) + done)
        if self.side.filter(cancel_requested=True).exists():
            raise ImportCancelled


def _start(job_id, waiting, running) -> ImportJob | None:
    """Take the job: its status says it runs, and this worker's connection holds its lock (WORKER_LOCK) until
    run_job ends or the connection does."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != waiting:  # cancelled while it waited, or already taken
            return None
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [WORKER_LOCK, job_id])
            if not cursor.fetchone()[0]:  # another worker still runs it
                return None
        job.status = running
        job.save(update_fields=["status"])
    return job


def _release(job_id) -> None:
    """Give back the job's lock, if this connection still holds it (a connection that was cut holds nothing)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                           " AND pid = pg_backend_pid() AND classid = %s AND objid = %s AND objsubid = 2",
                           [WORKER_LOCK, job_id, WORKER_LOCK, job_id])
    except Exception:  # the connection is gone, and the lock with it
        connection.close()


def _errors(job, errors):
    """Reject the job: the first errors are kept to show (parsing.Errors keeps no more), with the number of all
    of them and how many of each kind."""
    kept = [e.as_dict() for e in errors[:ImportJob.ERRORS_KEPT]]
    total = getattr(errors, "total", len(errors))
    summary = errors.summary() if hasattr(errors, "summary") else []
    _finish(job, JobStatus.REJECTED, Notice("rejected", {"count": total}), errors=kept, error_count=total,
            error_summary=summary)


def _check(job_id):
    job = _start(job_id, JobStatus.QUEUED_CHECK, JobStatus.CHECKING)
    if job is None:
        return
    previous = LedgerImport.objects.filter(municipality_id=job.municipality_id, sha256=job.sha256).first()
    if previous is not None:
        _finish(job, JobStatus.DUPLICATE, Notice("already_imported", {"when": previous.imported_at.isoformat()}))
        return
    file = ledger_file(job)
    job.rows_total = estimate_rows(file)
    job.save(update_fields=["rows_total"])
    try:
        plan = check(municipality=job.municipality, file=file, ward=job.ward, progress=_Reporter(job, {}))
    except ImportCancelled:
        _finish(job, JobStatus.CANCELLED, Notice("cancelled_in_check"))
        return
    job.refresh_from_db(fields=["rows_done", "cancel_requested"])
    if job.cancel_requested:
        _finish(job, JobStatus.CANCELLED, Notice("cancelled_in_check"))
    elif plan.errors:
        _errors(job, plan.errors)
    else:
        job.status, job.preview, job.rows_total, job.rows_done = JobStatus.CHECKED, plan.preview(), plan.rows, plan.rows
        job.plan = plan.to_json()
        job.notices = [n.as_json() for n in plan.notices()[:ImportJob.NOTICES_KEPT]]
        job.save(update_fields=["status", "preview", "rows_total", "rows_done", "plan", "notices"])


def _import(job_id):
    job = _start(job_id, JobStatus.QUEUED_IMPORT, JobStatus.IMPORTING)
    if job is None:
        return
    rows = job.preview.get("rows", 0)
    plan = Result.from_json(job.plan, job.municipality) if _has_plan(job) else None
    offset = {"import": 0 if plan else rows}
    try:
        result = import_ledger(municipality=job.municipality, file=ledger_file(job), user=job.created_by,
                               ward=job.ward, progress=_Reporter(job, offset), plan=plan,
                               separate=job.plan.get("separate", ()))
    except ImportCancelled:
        job.refresh_from_db()
        _finish(job, JobStatus.CANCELLED, Notice("cancelled_in_import"))
        return
    except LedgerRejected as rejected:  # the masters changed between the check and the import
        job.refresh_from_db()
        _errors(job, rejected.errors)
        return
    job.refresh_from_db()
    if result.already_imported is not None:
        _finish(job, JobStatus.DUPLICATE, Notice("imported_meanwhile"))
        return
    _finish(job, JobStatus.DONE, Notice("imported"), result=LedgerImport.objects.filter(
        municipality_id=job.municipality_id, sha256=job.sha256).first(), preview=result.preview(),
        notices=[n.as_json() for n in result.notices()[:ImportJob.NOTICES_KEPT]], rows_done=job.rows_total)


@task()
def run_job(job_id: int) -> None:
    """Check or import, whichever the job is waiting for. Anything unexpected ends the job as failed."""
    job = ImportJob.objects.filter(pk=job_id).only("status").first()
    if job is None:
        return
    try:
        if job.status == JobStatus.QUEUED_CHECK:
            _check(job_id)
        elif job.status == JobStatus.QUEUED_IMPORT:
            _import(job_id)
    except Exception:
        logger.exception("ledger import job %s failed", job_id)
        # A connection cut mid-import was closed when its transaction could not be rolled back (Django's atomic):
        # this query opens a new one (tests/ledger/test_worker_faults.py).
        job = ImportJob.objects.get(pk=job_id)
        _finish(job, JobStatus.FAILED, Notice("failed"))
    finally:
        _release(job_id)
