"""Uploaded ledger files kept no longer than they are needed (#15 item 9; manage.py purge_uploads).

An import that is done, cancelled or a duplicate deletes its file when it ends (jobs._finish). A rejected one
keeps it to be checked again after an alias is taught, a failed one to be retried, a checked one until it is
confirmed: each for settings LEDGER_REJECTED_UPLOAD_DAYS after it ended (or, never ended, was sent). After that
the file is deleted, the job keeps its record (who sent what when, the errors found) and says why its file is
gone. A file that no job names is deleted after ORPHAN_GRACE.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.models import Action
from audit.services import audit_record

from .jobs import worker_holds
from .models import ImportJob, JobStatus
from .notices import Notice

DEFAULT_DAYS = 30
ORPHAN_GRACE = dt.timedelta(days=1)  # an upload is stored a moment before its job is recorded, in one request
# What a job whose file is purged becomes: it can no longer be confirmed or continued.
ENDS_AS = {JobStatus.CHECKED: JobStatus.CANCELLED, JobStatus.CHECKING: JobStatus.FAILED,
           JobStatus.IMPORTING: JobStatus.FAILED}


@dataclass
class PurgeResult:
    days: int
    jobs: list[int] = field(default_factory=list)  # the jobs whose files were (or, in a dry run, would be) deleted
    orphans: list[str] = field(default_factory=list)  # stored names of files no job names
    bytes: int = 0


def retention_days() -> int:
    return int(getattr(settings, "LEDGER_REJECTED_UPLOAD_DAYS", DEFAULT_DAYS))


def purge_uploads(*, dry_run: bool = False, now: dt.datetime | None = None) -> PurgeResult:
    """Delete the files of ended jobs older than the retention days, and files no job names. Each deletion is
    audited (削除, the job and the size; never the file's name, which a user may have written a name into)."""
    now = now or timezone.now()
    result = PurgeResult(days=retention_days())
    cutoff = now - dt.timedelta(days=result.days)
    storage = storages["ledger"]
    expired = (ImportJob.objects.exclude(stored_name="")
               .exclude(status__in=(JobStatus.QUEUED_CHECK, JobStatus.QUEUED_IMPORT))
               .filter(Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff))
               .order_by("pk").values_list("pk", flat=True))
    for pk in list(expired):
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=pk)
            if not job.stored_name or job.status in (JobStatus.QUEUED_CHECK, JobStatus.QUEUED_IMPORT):
                continue  # deleted meanwhile, or waiting for a worker
            if job.status in (JobStatus.CHECKING, JobStatus.IMPORTING) and worker_holds(job):
                continue  # still running
            size = storage.size(job.stored_name) if storage.exists(job.stored_name) else 0
            result.jobs.append(job.pk)
            result.bytes += size
            if dry_run:
                continue
            stored, status = job.stored_name, job.status
            job.stored_name, job.plan = "", {}
            job.status = ENDS_AS.get(status, status)
            job.notice = Notice("purged", {"days": result.days}).as_json()
            job.finished_at = job.finished_at or now
            job.save(update_fields=["stored_name", "plan", "status", "notice", "finished_at"])
            transaction.on_commit(lambda stored=stored: storage.delete(stored))
            audit_record(action=Action.DELETE, object_type="ledger.importjob", object_id=str(job.pk),
                         municipality=job.municipality_id,
                         detail={"purge": "ledger_upload", "status": status, "bytes": size, "days": result.days})
    _orphans(storage, now, result, dry_run)
    return result


def _files(storage, folder=""):
    """Every file under `folder` of the storage, by its stored name."""
    folders, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for name in folders:
        yield from _files(storage, f"{folder}/{name}" if folder else name)


def _orphans(storage, now, result: PurgeResult, dry_run: bool) -> None:
    try:
        names = list(_files(storage))
    except FileNotFoundError:  # nothing was ever uploaded
        return
    known = set(ImportJob.objects.exclude(stored_name="").values_list("stored_name", flat=True))
    deleted = 0
    for name in names:
        if name in known or storage.get_modified_time(name) > now - ORPHAN_GRACE:
            continue
        size = storage.size(name)
        result.orphans.append(name)
        result.bytes += size
        deleted += size
        if not dry_run:
            storage.delete(name)
    if result.orphans and not dry_run:  # an orphan names no job, hence no municipality
        audit_record(action=Action.DELETE, object_type="ledger.upload",
                     detail={"purge": "ledger_orphans", "files": len(result.orphans), "bytes": deleted})
