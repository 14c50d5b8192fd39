"""Uploaded ledgers are not kept (#15 item 9): `manage.py purge_uploads` deletes the files of rejected, failed
and never-confirmed imports after settings LEDGER_REJECTED_UPLOAD_DAYS, and files no import names after a
day; each deletion is audited without the file's name."""

import datetime as dt
import os
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from audit.models import Action, AuditEvent
from ledger import jobs
from ledger.models import ImportJob, JobStatus
from ledger.notices import Notice
from ledger.purge import purge_uploads
from tests.conftest import LEDGER_CSV_KITA

pytestmark = pytest.mark.django_db(databases=["default", "progress"])


@pytest.fixture(autouse=True)
def _close_progress_connection():
    """The worker's side connection is opened here outside pytest-django's care: closed, so the test database
    can be dropped at the end of the run."""
    yield
    connections["progress"].close()

NOW = timezone.now()


def job_in(user, status, *, days_ago, name="北区_山田様.csv", finished=True) -> ImportJob:
    """A job sent (and ended) `days_ago` days ago, its file in storage."""
    job = jobs.job_submit(user=user, upload=ContentFile(LEDGER_CSV_KITA.encode() + f"\n{status}{days_ago}".encode(),
                                                        name=name))
    when = NOW - dt.timedelta(days=days_ago)
    ImportJob.objects.filter(pk=job.pk).update(status=status, created_at=when, finished_at=when if finished else None,
                                               plan={"cases": {}} if status == JobStatus.FAILED else {})
    job.refresh_from_db()
    return job


def orphan(name: str, *, days_ago: float) -> str:
    storage = storages["ledger"]
    stored = storage.save(name, ContentFile(b"orphan"))
    moment = (NOW - dt.timedelta(days=days_ago)).timestamp()
    os.utime(storage.path(stored), (moment, moment))
    return stored


@pytest.fixture
def uploads(coordinator_kita, kita):
    return {
        "rejected_old": job_in(coordinator_kita, JobStatus.REJECTED, days_ago=31),
        "rejected_new": job_in(coordinator_kita, JobStatus.REJECTED, days_ago=29),
        "failed_old": job_in(coordinator_kita, JobStatus.FAILED, days_ago=40),
        "checked_old": job_in(coordinator_kita, JobStatus.CHECKED, days_ago=31, finished=False),
        "importing_gone": job_in(coordinator_kita, JobStatus.IMPORTING, days_ago=31, finished=False),
        "importing_alive": job_in(coordinator_kita, JobStatus.IMPORTING, days_ago=32, finished=False),
        "queued_old": job_in(coordinator_kita, JobStatus.QUEUED_CHECK, days_ago=31, finished=False),
    }


def test_files_past_the_retention_are_deleted_and_the_jobs_say_why(uploads, coordinator_kita,
                                                                     django_capture_on_commit_callbacks):
    storage = storages["ledger"]
    old, new = orphan("2026/01/lost.csv", days_ago=2), orphan("2026/01/fresh.csv", days_ago=0.1)
    files = {key: job.stored_name for key, job in uploads.items()}
    alive = uploads["importing_alive"]
    with connections["progress"].cursor() as cursor:  # a worker still runs this one
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [jobs.WORKER_LOCK, alive.pk])
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = purge_uploads(now=NOW)
    finally:
        with connections["progress"].cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [jobs.WORKER_LOCK, alive.pk])
    purged = {"rejected_old", "failed_old", "checked_old", "importing_gone"}
    assert sorted(result.jobs) == sorted(uploads[key].pk for key in purged)
    assert result.orphans == [old] and result.days == 30
    for key, job in uploads.items():
        job.refresh_from_db()
        assert storage.exists(files[key]) == (key not in purged), key
        assert (job.stored_name == "") == (key in purged), key
    assert not storage.exists(old) and storage.exists(new)
    # What each purged job became: a rejected or failed one stays so (its errors are still shown); a checked one
    # can no longer be confirmed, one a dead worker left can no longer run.
    statuses = {key: uploads[key].status for key in purged}
    assert statuses == {"rejected_old": JobStatus.REJECTED, "failed_old": JobStatus.FAILED,
                        "checked_old": JobStatus.CANCELLED, "importing_gone": JobStatus.FAILED}
    assert Notice.from_json(uploads["rejected_old"].notice).text() == (
        "保存期間（30日）を過ぎたため、送られたファイルを削除しました。取り込むには、もう一度ファイルを送ってください。")
    assert not jobs.job_may_retry(uploads["failed_old"]) and uploads["failed_old"].plan == {}
    # Audited per job, with its municipality; never the file's name (「北区_山田様.csv」).
    events = AuditEvent.objects.filter(action=Action.DELETE, object_type="ledger.importjob")
    assert sorted(int(e.object_id) for e in events) == sorted(result.jobs)
    assert all(e.municipality_id == coordinator_kita.municipality_id and e.object_label == "" for e in events)
    assert all("山田" not in str(e.detail) and e.detail["days"] == 30 for e in events)
    orphans = AuditEvent.objects.get(action=Action.DELETE, object_type="ledger.upload")
    assert orphans.detail == {"purge": "ledger_orphans", "files": 1, "bytes": len(b"orphan")}


def test_a_dry_run_counts_and_deletes_nothing(uploads, django_capture_on_commit_callbacks):
    lost = orphan("2026/01/lost.csv", days_ago=2)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_uploads", "--dry-run", stdout=out)
    # (the importing one counts too: no worker holds it here)
    assert "取り込みのファイル 5件、どの取り込みにも属さないファイル 1件を削除します（確認のみ）" in out.getvalue()
    assert all(storages["ledger"].exists(job.stored_name) for job in uploads.values()) and storages["ledger"].exists(lost)
    assert not ImportJob.objects.filter(stored_name="").exists()
    assert not AuditEvent.objects.filter(action=Action.DELETE).exists()


def test_the_retention_is_a_setting(uploads, settings, django_capture_on_commit_callbacks):
    settings.LEDGER_REJECTED_UPLOAD_DAYS = 35
    with django_capture_on_commit_callbacks(execute=True):
        out = StringIO()
        call_command("purge_uploads", stdout=out)
    assert "保存期間（35日）を過ぎた取り込みのファイル 1件" in out.getvalue()  # the failed one, 40 days old
    uploads["failed_old"].refresh_from_db()
    assert uploads["failed_old"].stored_name == ""


def test_a_purged_rejection_cannot_be_checked_again(uploads, administrator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        purge_uploads(now=NOW)
    job = uploads["rejected_old"]
    job.refresh_from_db()
    with pytest.raises(ValidationError, match="ファイルが残っていない"):
        jobs.alias_add(user=administrator, job=job, kind="category", alias="市社協", target="社会福祉協議会")
