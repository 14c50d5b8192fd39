"""Ledger imports through the background worker: upload → check → preview → confirm → import, progress,
cancelling, and 「…として扱う」 from the error screen.

The worker is the real one (`manage.py db_worker --batch` on the PostgreSQL queue), so these tests commit:
the worker reports progress on a second connection that only sees committed rows.
"""

import io

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from audit.models import AuditEvent
from cases.models import Case
from ledger import importer, jobs, parsing
from ledger.models import ImportJob, JobStatus, LedgerImport, NameAlias
from ledger.notices import Notice
from ledger.parsing import LedgerFile
from meetings.models import Meeting
from reports.annual import annual_report
from tests.conftest import LEDGER_CSV_KITA

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "progress"])


def work():
    """Run every queued task, as the worker beside the web server would."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)


def _refresh(job):
    job.refresh_from_db()
    return job


def _state():
    return Case.all_objects.count(), Meeting.all_objects.count(), LedgerImport.objects.count()


def _text(stored) -> str:
    """A stored notice as the page writes it (in the active language)."""
    return Notice.from_json(stored).text()


def test_upload_check_preview_confirm_import(coordinator_kita, kita, osaka, monkeypatch):
    parses = []
    monkeypatch.setattr(importer, "read_rows", lambda file: parses.append(file.name) or parsing.read_rows(file))
    job = jobs.job_submit(user=coordinator_kita, upload=ContentFile(LEDGER_CSV_KITA.encode(), name="北区台帳.csv"))
    stored = job.stored_name
    # The file is in storage, not the database, and is not opened in the web request: the worker counts its rows.
    assert job.status == JobStatus.QUEUED_CHECK and job.ward == kita and job.rows_total == 0
    assert storages["ledger"].exists(job.stored_name) and job.size == len(LEDGER_CSV_KITA.encode())
    work()
    job = _refresh(job)
    assert job.status == JobStatus.CHECKED
    assert job.preview == {"rows": 3, "cases_created": 2, "meetings_created": 3, "meetings_present": 0,
                           "meetings_merged": 0, "duplicate_groups": 0, "per_fiscal_year": {"2020": 3}}
    assert _state() == (0, 0, 0)  # a check writes nothing
    assert parses == ["北区台帳.csv"] and set(job.plan["cases"]) == {"K-1", "K-2"}
    jobs.job_confirm(user=coordinator_kita, job=job)
    work()
    job = _refresh(job)
    assert job.status == JobStatus.DONE and job.percent == 100
    # The import followed the check's plan: the file was parsed once more, not twice; then it was deleted.
    assert parses == ["北区台帳.csv", "北区台帳.csv"]
    assert job.result.filename == "北区台帳.csv" and job.stored_name == "" and job.plan == {}
    assert not storages["ledger"].exists(stored)
    assert _state() == (2, 3, 1)
    assert annual_report(municipality=osaka, fiscal_year=2020).to_json()["meetings"]["2020"] == 3
    actions = list(AuditEvent.objects.filter(user=coordinator_kita).values_list("action", "object_type"))
    assert ("create", "ledger.importjob") in actions and ("update", "ledger.importjob") in actions
    assert ("create", "ledger.ledgerimport") in actions


def test_the_same_file_uploaded_again_is_recognised(coordinator_kita, kita):
    first = jobs.job_submit(user=coordinator_kita, upload=ContentFile(LEDGER_CSV_KITA.encode(), name="a.csv"))
    work()
    jobs.job_confirm(user=coordinator_kita, job=first)
    work()
    again = jobs.job_submit(user=coordinator_kita, upload=ContentFile(LEDGER_CSV_KITA.encode(), name="b.csv"))
    work()
    again = _refresh(again)
    assert again.status == JobStatus.DUPLICATE and "取り込み済み" in _text(again.notice)
    assert _state() == (2, 3, 1)


def test_a_coordinator_imports_their_own_wards_rows_only(coordinator_kita, kita, nishinari):
    text = LEDGER_CSV_KITA + "2020/8/1,西成区,N-1,,支援会議,無,,,\n"
    job = jobs.job_submit(user=coordinator_kita, upload=ContentFile(text.encode(), name="all.csv"))
    work()
    job = _refresh(job)
    assert job.status == JobStatus.REJECTED and job.error_count == 1
    assert job.errors[0]["row"] == 5 and _text(job.errors[0]["reason"]) == "担当の区・圏域（北区）の行だけを取り込めます。"
    with pytest.raises(ValidationError):
        jobs.job_confirm(user=coordinator_kita, job=job)
    assert _state() == (0, 0, 0)


def test_an_administrator_teaches_an_alias_from_the_error_screen_and_the_file_is_checked_again(administrator, kita):
    text = LEDGER_CSV_KITA.replace("社会福祉協議会", "市社協")
    job = jobs.job_submit(user=administrator, upload=ContentFile(text.encode(), name="alias.csv"))
    assert job.ward is None
    work()
    job = _refresh(job)
    assert job.status == JobStatus.REJECTED
    [error] = job.errors
    assert (error["column"], error["value"], error["kind"]) == ("参加機関", "市社協", "category")
    assert error["closest"] == "社会福祉協議会"
    jobs.alias_add(user=administrator, job=job, kind=error["kind"], alias=error["value"], target=error["closest"])
    assert NameAlias.objects.get(municipality=administrator.municipality, alias="市社協").target == "社会福祉協議会"
    assert _refresh(job).status == JobStatus.QUEUED_CHECK
    work()
    assert _refresh(job).status == JobStatus.CHECKED


def test_only_an_administrator_adds_aliases_and_only_real_names(administrator, coordinator_kita, kita):
    job = jobs.job_submit(user=coordinator_kita, upload=ContentFile(LEDGER_CSV_KITA.replace("社会福祉協議会", "市社協").encode(), name="alias.csv"))
    work()
    job = _refresh(job)
    with pytest.raises(PermissionDenied):
        jobs.alias_add(user=coordinator_kita, job=job, kind="category", alias="市社協", target="社会福祉協議会")
    with pytest.raises(ValidationError, match="マスタにありません"):
        jobs.alias_add(user=administrator, job=job, kind="category", alias="市社協", target="存在しない機関")
    with pytest.raises(ValidationError, match="もう読み取れる"):
        jobs.alias_add(user=administrator, job=job, kind="category", alias="社会福祉協議会", target="社会福祉協議会")
    with pytest.raises(ValidationError, match="もう読み取れる"):  # a built-in short form
        jobs.alias_add(user=administrator, job=job, kind="basis", alias="要対協", target="地域ケア会議")
    assert not NameAlias.objects.exists()


def test_cancelling_a_waiting_job_means_it_never_runs(coordinator_kita, kita):
    job = jobs.job_submit(user=coordinator_kita, upload=ContentFile(LEDGER_CSV_KITA.encode(), name="a.csv"))
    stored = job.stored_name
    jobs.job_cancel(user=coordinator_kita, job=job)
    work()
    job = _refresh(job)
    assert job.status == JobStatus.CANCELLED and job.stored_name == "" and not storages["ledger"].exists(stored)
    with pytest.raises(ValidationError, match="もう終わっています"):
        jobs.job_cancel(user=coordinator_kita, job=job)


def _checked_job(user, text=LEDGER_CSV_KITA):
    job = jobs.job_submit(user=user, upload=ContentFile(text.encode(), name="a.csv"))
    work()
    job = jobs.job_confirm(user=user, job=_refresh(job))
    return job


def test_cancelling_a_running_import_leaves_nothing_behind(coordinator_kita, kita, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK", 1)
    job = _checked_job(coordinator_kita)
    seen = []

    class Canceller(jobs._Reporter):
        """The user presses 取り消す while the second chunk of meetings is being written."""

        def __call__(self, phase, done, total):
            seen.append((phase, done))
            if (phase, done) == ("import", 2):
                ImportJob.objects.using("progress").filter(pk=self.job.pk).update(cancel_requested=True)
            super().__call__(phase, done, total)

    monkeypatch.setattr(jobs, "_Reporter", Canceller)
    work()
    job = _refresh(job)
    assert job.status == JobStatus.CANCELLED and "何も登録していません" in _text(job.notice)
    assert seen[-1] == ("import", 2)  # stopped at the chunk where it was asked to
    assert _state() == (0, 0, 0)
    assert not Case.history.exists()


def test_cancel_on_a_running_job_asks_the_worker_to_stop(coordinator_kita, kita):
    job = jobs.job_submit(user=coordinator_kita, upload=ContentFile(LEDGER_CSV_KITA.encode(), name="a.csv"))
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.IMPORTING)
    jobs.job_cancel(user=coordinator_kita, job=job)
    job = _refresh(job)
    assert job.cancel_requested and job.status == JobStatus.IMPORTING  # the worker ends it at its next chunk


def test_progress_is_visible_to_others_while_the_import_is_still_uncommitted(coordinator_kita, kita, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK", 1)
    job = _checked_job(coordinator_kita)
    observed = []

    class Observer(jobs._Reporter):
        def __call__(self, phase, done, total):
            super().__call__(phase, done, total)
            side = connections["progress"]
            with side.cursor() as cursor:  # what a page served meanwhile would read
                cursor.execute("SELECT phase, rows_done, rows_total FROM ledger_importjob WHERE id = %s", [self.job.pk])
                row = cursor.fetchone()
                cursor.execute("SELECT count(*) FROM meetings_meeting")
                observed.append((*row, cursor.fetchone()[0]))

    monkeypatch.setattr(jobs, "_Reporter", Observer)
    work()
    assert _refresh(job).status == JobStatus.DONE
    # the check's plan is kept, so the import job only writes: 1..3 of 3; the meetings stay invisible until
    # the transaction commits
    assert observed == [("import", 1, 3, 0), ("import", 2, 3, 0), ("import", 3, 3, 0)]
    assert Meeting.all_objects.count() == 3


def test_an_unexpected_error_fails_the_job_and_writes_nothing(coordinator_kita, kita, monkeypatch):
    job = _checked_job(coordinator_kita)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "_agency", broken)
    work()
    job = _refresh(job)
    assert job.status == JobStatus.FAILED and "想定外のエラー" in _text(job.notice)
    assert _state() == (0, 0, 0)


def test_submit_refuses_what_is_not_a_ledger(coordinator_kita, agency_worker):
    with pytest.raises(ValidationError, match="xlsx"):
        jobs.job_submit(user=coordinator_kita, upload=ContentFile(b"%PDF", name="a.pdf"))
    with pytest.raises(ValidationError, match="空"):
        jobs.job_submit(user=coordinator_kita, upload=ContentFile(b"", name="a.csv"))
    with pytest.raises(PermissionDenied):
        jobs.job_submit(user=agency_worker, upload=ContentFile(LEDGER_CSV_KITA.encode(), name="a.csv"))
    assert not ImportJob.objects.exists()


def test_a_binary_file_renamed_csv_is_refused_by_the_upload_or_rejected_by_the_check(coordinator_kita, kita):
    with pytest.raises(ValidationError, match="CSV ファイルとして読めません"):  # its first bytes say so
        jobs.job_submit(user=coordinator_kita, upload=ContentFile(bytes(range(256)) * 100, name="random.csv"))
    # Binary further on than the upload looks: the worker's check reads it and says so.
    data = bytes(range(1, 256)) * 40 + bytes(range(256)) * 100
    job = jobs.job_submit(user=coordinator_kita, upload=ContentFile(data, name="random.csv"))
    work()
    job = _refresh(job)
    assert job.status == JobStatus.REJECTED and job.errors[0]["row"] == 0 and "CSV" in _text(job.errors[0]["reason"])


def test_the_import_costs_the_same_queries_for_more_rows_in_the_same_chunks(administrator, kita, nishinari, osaka):
    def rows(n, prefix):
        return "".join(f"2020/5/{1 + i % 28},北区,{prefix}-{i},,地域ケア会議,有,地域包括支援センター,"
                       f"地域包括支援センター、社会福祉協議会,認知症、経済的困窮（疑い含む）\n" for i in range(n))

    header = LEDGER_CSV_KITA.splitlines(keepends=True)[0]
    # the first import also creates the import account and the ward's agencies
    importer.import_ledger(municipality=osaka, file=LedgerFile.from_bytes("warm.csv", (header + rows(1, "W")).encode()))
    counts = []
    for n, prefix in ((5, "A"), (50, "B")):
        with CaptureQueriesContext(connections["default"]) as queries:
            importer.import_ledger(municipality=osaka, file=LedgerFile.from_bytes(f"{prefix}.csv", (header + rows(n, prefix)).encode()))
        counts.append(len(queries))
    assert counts[0] == counts[1]


# ------------------------------------------------------------------------------------------------ pages


def test_the_page_uploads_shows_progress_and_the_preview(client, coordinator_kita, kita):
    client.force_login(coordinator_kita)
    page = client.get(reverse("ledger:import_list"))
    assert page.status_code == 200 and "開催台帳の取り込み" in page.content.decode()
    upload = io.BytesIO(LEDGER_CSV_KITA.encode())
    upload.name = "北区台帳.csv"
    response = client.post(reverse("ledger:import_list"), {"file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("ledger:import_detail", args=[job.pk])
    waiting = client.get(response.url).content.decode()
    assert 'http-equiv="refresh"' in waiting and "順番を待っています" in waiting and "取り消す" in waiting
    work()
    preview = client.get(response.url).content.decode()
    assert "取り込むと登録されるもの" in preview and "令和2年度" in preview and 'http-equiv="refresh"' not in preview
    client.post(reverse("ledger:import_confirm", args=[job.pk]))
    work()
    done = client.get(response.url).content.decode()
    assert "登録したもの" in done and _state() == (2, 3, 1)
    assert AuditEvent.objects.filter(user=coordinator_kita, action="view", object_type="ledger.importjob").exists()


def test_the_error_screen_lists_every_bad_row_and_offers_aliases_to_administrators(client, administrator,
                                                                                    coordinator_kita, kita):
    text = LEDGER_CSV_KITA.replace("社会福祉協議会", "市社協").replace("2020/5/12", "2020/2/30")
    job = jobs.job_submit(user=coordinator_kita, upload=ContentFile(text.encode(), name="bad.csv"))
    work()
    client.force_login(coordinator_kita)
    page = client.get(reverse("ledger:import_detail", args=[job.pk])).content.decode()
    assert "誤り 2 件" in page and "存在しない日付です。" in page and "市社協" in page
    assert "として扱う" not in page and "システム管理者に登録を依頼" in page
    client.force_login(administrator)
    page = client.get(reverse("ledger:import_detail", args=[job.pk])).content.decode()
    assert "「市社協」を社会福祉協議会として扱う" in page
    response = client.post(reverse("ledger:alias_add", args=[job.pk]),
                           {"kind": "category", "alias": "市社協", "target": "社会福祉協議会"})
    assert response.status_code == 302 and NameAlias.objects.filter(alias="市社協").exists()


def test_an_empty_upload_gets_a_japanese_message(client, coordinator_kita):
    client.force_login(coordinator_kita)
    response = client.post(reverse("ledger:import_list"), {})
    assert response.status_code == 400 and "ファイルを選んでください。" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_another_wards_coordinator_cannot_see_the_job(client, coordinator_kita, coordinator_nishinari):
    job = jobs.job_submit(user=coordinator_kita, upload=ContentFile(LEDGER_CSV_KITA.encode(), name="a.csv"))
    client.force_login(coordinator_nishinari)
    assert client.get(reverse("ledger:import_detail", args=[job.pk])).status_code == 404
    assert client.post(reverse("ledger:import_cancel", args=[job.pk])).status_code == 404
    assert "a.csv" not in client.get(reverse("ledger:import_list")).content.decode()


def test_the_list_of_imports_costs_the_same_queries_for_one_job_as_for_six(client, coordinator_kita, kita):
    client.force_login(coordinator_kita)
    counts = []
    for total in (1, 6):
        while ImportJob.objects.count() < total:
            jobs.job_submit(user=coordinator_kita, upload=ContentFile(LEDGER_CSV_KITA.encode() + str(ImportJob.objects.count()).encode(), name=f"{ImportJob.objects.count()}.csv"))
        with CaptureQueriesContext(connections["default"]) as queries:
            assert client.get(reverse("ledger:import_list")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


class _ReadInChunksOnly(ContentFile):
    """An upload that fails the test if anyone reads it whole (the web request must stream it to storage)."""

    def read(self, size=-1):
        assert size is not None and size > 0, "the upload was read whole into memory"
        return super().read(size)


def test_an_upload_is_streamed_to_storage_never_read_whole(coordinator_kita, kita):
    data = LEDGER_CSV_KITA.encode() * 2000  # about 0.4 MB: several chunks of Django's 64 KiB
    job = jobs.job_submit(user=coordinator_kita, upload=_ReadInChunksOnly(data, name="北区台帳.csv"))
    with storages["ledger"].open(job.stored_name, "rb") as stored:
        assert stored.read() == data
    assert job.size == len(data) and ImportJob.objects.filter(pk=job.pk, stored_name=job.stored_name).exists()


# ------------------------------------------------------------------------------------------------ rows of one meeting

# Row 5 repeats row 2 (one meeting written twice); rows 3 and 4 are other meetings.
DOUBLED_ROWS = [line.split(",") for line in LEDGER_CSV_KITA.splitlines()] + [LEDGER_CSV_KITA.splitlines()[1].split(",")]


def _upload(client, fmt):
    """The ledger as the office saves it: CP932 CSV, or an xlsx with date cells."""
    if fmt == "csv":
        data = "".join(",".join(row) + "\r\n" for row in DOUBLED_ROWS).encode("cp932")
    else:
        book = Workbook()
        for i, row in enumerate(DOUBLED_ROWS):
            book.active.append([parsing.parse_date(row[0]), *row[1:]] if i else row)
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
    upload = io.BytesIO(data)
    upload.name = f"北区台帳.{fmt}"
    client.post(reverse("ledger:import_list"), {"file": upload})
    work()
    return ImportJob.objects.get()


@pytest.mark.parametrize("fmt, separate", [("csv", False), ("xlsx", True), ("csv", True), ("xlsx", False)])
def test_the_check_shows_rows_of_one_meeting_and_the_user_says_whether_they_are_two(client, coordinator_kita, kita, osaka,
                                                                                  fmt, separate):
    client.force_login(coordinator_kita)
    job = _upload(client, fmt)
    url = reverse("ledger:import_detail", args=[job.pk])
    preview = client.get(url).content.decode()
    assert "行2と行5は同じ会議です（事例番号 K-1、令和2年5月12日）。" in preview
    assert 'name="separate" value="2"' in preview and "別の会議として取り込む" in preview
    assert job.preview["meetings_created"] == 3 and job.preview["meetings_merged"] == 1
    assert job.notices == [{"kind": "same_meeting", "params": {
        "rows": [2, 5], "case": "K-1", "held_on": "2020-05-12", "separate": False}}]
    client.post(reverse("ledger:import_confirm", args=[job.pk]), {"separate": ["2"]} if separate else {})
    job = _refresh(job)
    # The choice travels in the job's plan to the worker.
    assert job.plan["duplicates"] == [[[2, 5], "K-1", "2020-05-12", True, separate]]
    assert job.preview["meetings_created"] == (4 if separate else 3)
    work()
    job = _refresh(job)
    meetings = 4 if separate else 3
    assert job.status == JobStatus.DONE and Meeting.all_objects.count() == meetings
    assert annual_report(municipality=osaka, fiscal_year=2020).to_json()["meetings"]["2020"] == meetings
    done = client.get(url).content.decode()
    assert ("別の会議として登録しました。" if separate else "1回の会議として登録しました。") in done


def test_only_rows_the_check_showed_can_be_called_separate(coordinator_kita, client, kita):
    client.force_login(coordinator_kita)
    job = _upload(client, "csv")
    with pytest.raises(ValidationError, match="行3は同じ会議として示した行ではありません"):
        jobs.job_confirm(user=coordinator_kita, job=job, separate=[3])
    assert _refresh(job).status == JobStatus.CHECKED


def test_the_choice_survives_a_plan_that_can_no_longer_be_used(coordinator_kita, client, kita):
    client.force_login(coordinator_kita)
    job = _upload(client, "csv")
    ImportJob.objects.filter(pk=job.pk).update(plan={})  # as for a job checked before plans were kept
    jobs.job_confirm(user=coordinator_kita, job=_refresh(job), separate=[2])
    assert _refresh(job).plan == {"separate": [2]}
    work()
    assert _refresh(job).status == JobStatus.DONE and Meeting.all_objects.count() == 4


# ------------------------------------------------------------------------------------------------ the reader's language


@pytest.fixture
def english(client):
    """The reader chose English (the language cookie); Japanese again for the next test."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    yield client
    translation.activate(settings.LANGUAGE_CODE)


def test_what_the_worker_stored_is_written_in_the_readers_language(client, coordinator_kita, kita, english):
    text = LEDGER_CSV_KITA.replace("社会福祉協議会", "市社協").replace("2020/5/12", "2020/2/30")
    job = jobs.job_submit(user=coordinator_kita, upload=ContentFile(text.encode(), name="bad.csv"))
    work()  # the worker writes in Japanese, its default
    job = _refresh(job)
    assert job.notice == {"kind": "rejected", "params": {"count": 2}}
    assert [e["reason"] for e in job.errors] == [{"kind": "date_impossible", "params": {}},
                                                 {"kind": "not_found", "params": {"what": "category"}}]
    client.force_login(coordinator_kita)
    page = client.get(reverse("ledger:import_detail", args=[job.pk])).content.decode()
    assert "2 errors found. Nothing was imported." in page
    assert "This date does not exist." in page and "No such Agency category." in page
    assert "存在しない日付" not in page and "見つかりません" not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    page = client.get(reverse("ledger:import_detail", args=[job.pk])).content.decode()
    assert "2件の誤りがあります。何も取り込んでいません。" in page and "機関種別が見つかりません。" in page
