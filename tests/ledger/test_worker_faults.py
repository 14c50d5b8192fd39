"""A worker that dies mid-import (#15 item 11): nothing of the import is left, and the job can be tried again.

The worker is the real one (`db_worker --batch` on the PostgreSQL queue), so these tests commit. Its death is
its database connection cut from outside with pg_terminate_backend, from the progress connection, after some
meetings were written in its (uncommitted) transaction; a worker killed outright leaves its job 「取り込んでいます」
with no one holding the job's lock, which is what the page and job_retry recognise.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connections
from django.urls import reverse

from audit.models import AuditEvent
from cases.models import Case
from ledger import importer, jobs
from ledger.models import ImportJob, JobStatus, LedgerImport
from ledger.notices import Notice
from meetings.models import Meeting
from tests.conftest import LEDGER_CSV_KITA

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "progress"])


def work():
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)


def _state():
    return Case.all_objects.count(), Meeting.all_objects.count(), LedgerImport.objects.count()


def _confirmed(user) -> ImportJob:
    job = jobs.job_submit(user=user, upload=ContentFile(LEDGER_CSV_KITA.encode(), name="北区台帳.csv"))
    work()
    job.refresh_from_db()
    return jobs.job_confirm(user=user, job=job)


def _worker_pid(job) -> int | None:
    with connections["progress"].cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = %s"
                       " AND objid = %s AND objsubid = 2", [jobs.WORKER_LOCK, job.pk])
        row = cursor.fetchone()
    return row[0] if row else None


def test_a_worker_whose_connection_is_cut_mid_import_leaves_nothing_and_the_job_is_retried(
        client, coordinator_kita, kita, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK", 1)
    job = _confirmed(coordinator_kita)
    seen = {}

    class Cutter(jobs._Reporter):
        """After the second meeting is written: what others see, then the worker's connection cut."""

        def __call__(self, phase, done, total):
            if (phase, done) == ("import", 2):
                seen["own"] = Meeting.all_objects.count()  # in the worker's open transaction
                pid = _worker_pid(self.job)
                with connections["progress"].cursor() as cursor:
                    cursor.execute("SELECT count(*) FROM meetings_meeting")
                    seen["others"] = cursor.fetchone()[0]
                    cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
                    seen["cut"] = cursor.fetchone()[0]
            super().__call__(phase, done, total)

    monkeypatch.setattr(jobs, "_Reporter", Cutter)
    work()
    assert seen == {"own": 2, "others": 0, "cut": True}
    job.refresh_from_db()
    # Nothing of the import is left (its transaction ended with the connection); the job says so, keeps its
    # file and its plan, and no one holds its lock.
    assert _state() == (0, 0, 0) and not Case.history.exists()
    assert job.status == JobStatus.FAILED and "何も登録していません" in Notice.from_json(job.notice).text()
    assert storages["ledger"].exists(job.stored_name) and "cases" in job.plan and _worker_pid(job) is None
    assert jobs.job_may_retry(job)
    # The uploader presses 「やり直す」 on the job's page.
    monkeypatch.setattr(jobs, "_Reporter", Cutter.__base__)  # the next worker is not cut
    client.force_login(coordinator_kita)
    page = client.get(reverse("ledger:import_detail", args=[job.pk])).content.decode()
    assert "やり直す" in page
    response = client.post(reverse("ledger:import_retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED_IMPORT and job.phase == "import"
    work()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and _state() == (2, 3, 1)
    assert job.stored_name == "" and job.plan == {}
    assert AuditEvent.objects.filter(user=coordinator_kita, object_id=str(job.pk), detail__retry=True).exists()


def test_a_job_left_running_by_a_worker_that_is_gone_can_be_retried_and_one_still_running_cannot(
        client, coordinator_kita, kita):
    job = _confirmed(coordinator_kita)
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.IMPORTING)  # taken, then the worker was killed
    job.refresh_from_db()
    # A worker that still runs it holds its lock (here the progress connection plays that worker).
    with connections["progress"].cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [jobs.WORKER_LOCK, job.pk])
    try:
        assert not jobs.job_may_retry(job)
        with pytest.raises(ValidationError, match="まだ動いています"):
            jobs.job_retry(user=coordinator_kita, job=job)
        client.force_login(coordinator_kita)
        page = client.get(reverse("ledger:import_detail", args=[job.pk])).content.decode()
        assert "やり直す" not in page and 'http-equiv="refresh"' in page
    finally:
        with connections["progress"].cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [jobs.WORKER_LOCK, job.pk])
    # No one holds it: the worker is gone.
    assert jobs.job_may_retry(job)
    page = client.get(reverse("ledger:import_detail", args=[job.pk])).content.decode()
    assert "処理が止まっています" in page and "やり直す" in page and 'http-equiv="refresh"' not in page
    jobs.job_retry(user=coordinator_kita, job=job)
    work()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and _state() == (2, 3, 1)


def test_a_job_that_died_in_its_check_is_checked_again(coordinator_kita, kita):
    job = jobs.job_submit(user=coordinator_kita, upload=ContentFile(LEDGER_CSV_KITA.encode(), name="a.csv"))
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.CHECKING)
    job.refresh_from_db()
    jobs.job_retry(user=coordinator_kita, job=job)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED_CHECK
    work()
    job.refresh_from_db()
    assert job.status == JobStatus.CHECKED and _state() == (0, 0, 0)


def test_only_a_stopped_job_with_its_file_can_be_retried(coordinator_kita, kita, agency_worker):
    job = _confirmed(coordinator_kita)
    work()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    with pytest.raises(ValidationError, match="途中で止まった取り込みだけ"):
        jobs.job_retry(user=coordinator_kita, job=job)
    failed = jobs.job_submit(user=coordinator_kita, upload=ContentFile(LEDGER_CSV_KITA.encode() + b"\n", name="b.csv"))
    ImportJob.objects.filter(pk=failed.pk).update(status=JobStatus.FAILED)
    failed.refresh_from_db()
    storages["ledger"].delete(failed.stored_name)
    with pytest.raises(ValidationError, match="ファイルが残っていない"):
        jobs.job_retry(user=coordinator_kita, job=failed)
    with pytest.raises(PermissionDenied):
        jobs.job_retry(user=agency_worker, job=failed)
