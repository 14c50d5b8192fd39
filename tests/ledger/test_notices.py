"""Notices are kept as a kind and its parameters and written when shown, in the reader's language and date style."""

import pytest
from django.utils import translation

from ledger.notices import Notice, NoticeError


@pytest.mark.parametrize("notice, japanese, english", [
    (Notice("rejected", {"count": 3}), "3件の誤りがあります。何も取り込んでいません。", "3 errors found. Nothing was imported."),
    (Notice("not_found", {"what": "basis"}), "開催根拠が見つかりません。", "No such Legal basis."),
    (Notice("other_ward", {"ward": "北区"}), "担当の区・圏域（北区）の行だけを取り込めます。",
     "You can import only rows for your ward/area (北区)."),
    (Notice("columns_missing", {"names": ["区", "開催根拠"]}), "必要な列がありません：区、開催根拠",
     "Required columns are missing: 区"),
])
def test_a_notice_is_written_in_the_active_language(notice, japanese, english):
    with translation.override("ja"):
        assert notice.text() == japanese
    with translation.override("en"):
        assert notice.text().startswith(english)


def test_rows_of_one_meeting_are_named_in_the_readers_date_style():
    notice = Notice("same_meeting", {"rows": [5, 9], "case": "KITA-2021-001", "held_on": "2021-05-12", "separate": False})
    assert notice.text() == "行5と行9は同じ会議です（事例番号 KITA-2021-001、令和3年5月12日）。"
    assert "2021年5月12日" in notice.text(date_style="seireki")
    assert Notice("same_meeting", {**notice.params, "rows": [5, 9, 12]}).text().startswith("行5・行9と行12は")


def test_a_plain_text_or_an_unknown_kind_is_shown_as_it_is():
    assert Notice.from_json("昔の文").text() == "昔の文"
    assert Notice.from_json({"kind": "from_a_newer_version", "params": {}}).text() == "from_a_newer_version"
    assert Notice.from_json(Notice("imported").as_json()) == Notice("imported")


def test_an_error_raised_as_a_notice_reads_as_its_text():
    error = NoticeError("flag_unreadable")
    assert isinstance(error, ValueError) and error.notice == Notice("flag_unreadable")
    assert str(error) == "有・無（あり・なし、○・×、1・0）のどれかで入力してください。"
