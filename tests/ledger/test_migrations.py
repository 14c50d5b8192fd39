"""Jobs stored before notices had kinds: their texts become notices (ledger 0006), then read in any language."""

import importlib

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from django.utils import translation

from ledger.models import ImportJob, JobStatus
from ledger.notices import Notice

pytestmark = pytest.mark.django_db(transaction=True)

MIGRATION = importlib.import_module("ledger.migrations.0006_notices_from_texts")
OLD_ERRORS = [
    {"row": 3, "column": "開催日", "value": "2020/2/30", "reason": "存在しない日付です。", "closest": "", "kind": ""},
    {"row": 4, "column": "参加機関", "value": "市社協", "reason": "機関種別が見つかりません。", "closest": "社会福祉協議会",
     "kind": "category"},
    {"row": 9, "column": "区", "value": "西成区", "reason": "事例番号 K-1 は2行目で北区とされています。", "closest": "", "kind": ""},
    {"row": 0, "column": "", "value": "a.csv", "reason": "見出しが重複しています：区、課題", "closest": "", "kind": ""},
    {"row": 5, "column": "課題", "value": "?", "reason": "どの形にも合わない文", "closest": "", "kind": ""},
]


@pytest.fixture
def old_column():
    """The `message` column as it was before ledger 0007 dropped it."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE ledger_importjob ADD COLUMN message text NOT NULL DEFAULT ''")
    yield
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE ledger_importjob DROP COLUMN IF EXISTS message")


@pytest.fixture
def english_reader(client, coordinator_kita):
    """北区's coordinator, who chose English (the language cookie); Japanese again for the next test."""
    client.force_login(coordinator_kita)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    yield client
    translation.activate(settings.LANGUAGE_CODE)


def _old_job(import_job_kita, status, message, errors=()):
    ImportJob.objects.filter(pk=import_job_kita.pk).update(status=status, errors=list(errors), error_count=len(errors))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_importjob SET message = %s WHERE id = %s", [message, import_job_kita.pk])
    return import_job_kita


def _migrate(direction="forwards"):
    state = MigrationLoader(connection).project_state(("ledger", "0006_notices_from_texts"))
    with connection.schema_editor() as editor:
        getattr(MIGRATION, direction)(state.apps, editor)


def test_stored_texts_become_notices_that_an_english_reader_reads_in_english(old_column, import_job_kita, english_reader):
    job = _old_job(import_job_kita, JobStatus.REJECTED, "5件の誤りがあります。何も取り込んでいません。", OLD_ERRORS)
    _migrate()
    job.refresh_from_db()
    assert job.notice == {"kind": "rejected", "params": {"count": 5}}
    assert [e["reason"] for e in job.errors] == [
        {"kind": "date_impossible", "params": {}},
        {"kind": "not_found", "params": {"what": "category"}},
        {"kind": "case_ward_differs", "params": {"case": "K-1", "row": 2, "ward": "北区"}},
        {"kind": "header_repeated", "params": {"names": ["区", "課題"]}},
        {"kind": "text", "params": {"text": "どの形にも合わない文"}},  # kept as it was
    ]
    assert job.errors[1]["closest"] == "社会福祉協議会" and job.errors[1]["kind"] == "category"
    page = english_reader.get(reverse("ledger:import_detail", args=[job.pk])).content.decode()
    assert "5 errors found. Nothing was imported." in page and "This date does not exist." in page
    assert "No such Agency category." in page and "どの形にも合わない文" in page
    assert "何も取り込んでいません" not in page


def test_the_time_of_an_earlier_import_is_kept_and_shown_in_the_readers_date_style(old_column, import_job_kita):
    job = _old_job(import_job_kita, JobStatus.DUPLICATE, "このファイルは 2026-11-30 05:36 に取り込み済みです。何も登録しません。")
    _migrate()
    job.refresh_from_db()
    assert job.notice == {"kind": "already_imported", "params": {"when": "2026-11-30T05:36:00+09:00"}}
    notice = Notice.from_json(job.notice)
    assert notice.text() == "このファイルは 令和8年11月30日 05:36 に取り込み済みです。何も登録しません。"
    assert notice.text(date_style="seireki") == "このファイルは 2026年11月30日 05:36 に取り込み済みです。何も登録しません。"
    with translation.override("en"):
        assert notice.text().startswith("This file was already imported on 令和8年11月30日 05:36.")


def test_undoing_the_migration_writes_the_texts_back(old_column, import_job_kita):
    job = _old_job(import_job_kita, JobStatus.REJECTED, "5件の誤りがあります。何も取り込んでいません。", OLD_ERRORS)
    _migrate()
    _migrate("backwards")
    with connection.cursor() as cursor:
        cursor.execute("SELECT message FROM ledger_importjob WHERE id = %s", [job.pk])
        assert cursor.fetchone()[0] == "5件の誤りがあります。何も取り込んでいません。"
    job.refresh_from_db()
    assert [e["reason"] for e in job.errors] == [e["reason"] for e in OLD_ERRORS]
