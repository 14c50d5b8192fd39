"""Stored texts become notices: a job's message and each error's reason were written in Japanese when the
worker stored them; they are read back into the kind and parameters that ledger.notices writes in the
reader's language. A text that matches no known form is kept as it is (kind "text").

The forms are copied here (not imported) so that this migration keeps reading what was stored then.
"""

import datetime as dt
import re

from django.db import migrations

FORMS = {
    "cancelled": "取り込みをやめました。何も登録していません。",
    "cancelled_in_check": "確認の途中でやめました。何も登録していません。",
    "cancelled_in_import": "取り込みの途中でやめました。何も登録していません。",
    "rejected": "%(count)d件の誤りがあります。何も取り込んでいません。",
    "already_imported": "このファイルは %(when)s に取り込み済みです。何も登録しません。",
    "imported_meanwhile": "このファイルは別の取り込みで登録済みです。何も登録しませんでした。",
    "imported": "取り込みました。",
    "failed": "想定外のエラーで止まりました。何も登録していません。システム管理者に連絡してください。",
    "file_empty": "ファイルが空です。",
    "file_too_large": "ファイルが大きすぎます（200MBまで）。",
    "file_format": "Excel（.xlsx）か CSV（.csv）のファイルを選んでください。",
    "not_text": "CSV ファイルとして読めません（文字以外のデータを含んでいます）。Excel の .xlsx か CSV を選んでください。",
    "encoding": "文字コードを判別できません。UTF-8 または Shift_JIS（CP932）で保存した CSV を選んでください。",
    "csv_unreadable": "CSV として読めません：%(error)s",
    "xlsx_unreadable": "Excel（.xlsx）のファイルとして読めません。",
    "no_header": "1行目に見出し（開催日、区、事例番号…）がありません。",
    "header_repeated": "見出しが重複しています：%(names)s",
    "columns_missing": "必要な列がありません：%(names)s",
    "no_rows": "見出しのほかに行がありません。",
    "date_blank": "開催日が空欄です。",
    "date_unreadable": "日付として読めません（例: 2020-05-12、令和2年5月12日、R2.5.12）。",
    "date_impossible": "存在しない日付です。",
    "date_outside_era": "その元号の期間に含まれない日付です。",
    "flag_unreadable": "有・無（あり・なし、○・×、1・0）のどれかで入力してください。",
    "not_found": "%(what)sが見つかりません。",
    "other_ward": "担当の区・圏域（%(ward)s）の行だけを取り込めます。",
    "case_number_blank": "事例番号が空欄です。",
    "case_number_too_long": "事例番号は50文字までです。",
    "case_ward_differs": "事例番号 %(case)s は%(row)d行目で%(ward)sとされています。",
    "case_referrer_differs": "事例番号 %(case)s の相談のあった機関が%(row)d行目と違います。",
}
WHAT = {"区・圏域": "ward", "会議種別": "kind", "開催根拠": "basis", "機関種別": "category", "課題": "issue"}
WHEN = "%Y-%m-%d %H:%M"  # how the worker wrote `when` (Tokyo time)
TOKYO = dt.timezone(dt.timedelta(hours=9))


def _pattern(form: str) -> re.Pattern:
    parts = re.split(r"%\((\w+)\)([sd])", form)
    regex = "".join(re.escape(part) if i % 3 == 0 else (r"(?P<%s>\d+)" % part if parts[i + 1] == "d" else r"(?P<%s>.+?)" % part)
                    for i, part in enumerate(parts) if i % 3 != 2)
    return re.compile(f"^{regex}$", re.DOTALL)


PATTERNS = [(kind, _pattern(form)) for kind, form in FORMS.items()]


def notice_of(text: str) -> dict:
    """The stored text as {"kind", "params"}."""
    for kind, pattern in PATTERNS:
        match = pattern.match(text)
        if match is None:
            continue
        params = match.groupdict()
        for name in ("count", "row"):
            if name in params:
                params[name] = int(params[name])
        if "names" in params:
            params["names"] = params["names"].split("、")
        if "what" in params:
            if params["what"] not in WHAT:
                continue
            params["what"] = WHAT[params["what"]]
        if "when" in params:
            try:
                params["when"] = dt.datetime.strptime(params["when"], WHEN).replace(tzinfo=TOKYO).isoformat()
            except ValueError:
                continue
        return {"kind": kind, "params": params}
    return {"kind": "text", "params": {"text": text}}


def text_of(notice: dict) -> str:
    """Back again (to undo the migration): the text in Japanese, as the worker wrote it."""
    kind, params = notice.get("kind"), dict(notice.get("params") or {})
    if kind not in FORMS:
        return str(params.get("text", ""))
    if "names" in params:
        params["names"] = "、".join(params["names"])
    if "what" in params:
        params["what"] = {v: k for k, v in WHAT.items()}.get(params["what"], params["what"])
    if "when" in params:
        params["when"] = dt.datetime.fromisoformat(params["when"]).astimezone(TOKYO).strftime(WHEN)
    return FORMS[kind] % params


def forwards(apps, schema_editor):
    ImportJob = apps.get_model("ledger", "ImportJob")
    for job in ImportJob.objects.only("message", "errors").iterator(chunk_size=200):
        job.notice = notice_of(job.message) if job.message else {}
        job.errors = [{**error, "reason": notice_of(error["reason"])} if isinstance(error.get("reason"), str) else error
                      for error in job.errors]
        job.save(update_fields=["notice", "errors"])


def backwards(apps, schema_editor):
    ImportJob = apps.get_model("ledger", "ImportJob")
    for job in ImportJob.objects.only("notice", "errors").iterator(chunk_size=200):
        job.message = text_of(job.notice) if job.notice else ""
        job.errors = [{**error, "reason": text_of(error["reason"])} if isinstance(error.get("reason"), dict) else error
                      for error in job.errors]
        job.save(update_fields=["message", "errors"])


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0005_job_notices"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
