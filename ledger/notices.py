"""What the importer tells the user, kept as a kind and its parameters and written in the reader's language.

A job is checked by the worker (in Japanese) and read later by whoever opens its page, perhaps in English,
so nothing is turned into text when it is stored: a `Notice` is stored as {"kind": …, "params": {…}} and
`Notice.text()` writes it when it is shown. Parameters are plain JSON values; a few names carry a meaning
that is written at reading time too: `when` (an ISO date and time) and `held_on` (an ISO date) in the
reader's date style, `what` (an alias kind) as its name, `rows` as 「行5と行9」, any other list joined.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import wareki

TEXTS = {
    # How a job ended (ImportJob.notice).
    "cancelled": gettext_lazy("取り込みをやめました。何も登録していません。"),
    "cancelled_in_check": gettext_lazy("確認の途中でやめました。何も登録していません。"),
    "cancelled_in_import": gettext_lazy("取り込みの途中でやめました。何も登録していません。"),
    "rejected": gettext_lazy("%(count)d件の誤りがあります。何も取り込んでいません。"),
    "already_imported": gettext_lazy("このファイルは %(when)s に取り込み済みです。何も登録しません。"),
    "imported_meanwhile": gettext_lazy("このファイルは別の取り込みで登録済みです。何も登録しませんでした。"),
    "imported": gettext_lazy("取り込みました。"),
    "purged": gettext_lazy("保存期間（%(days)s日）を過ぎたため、送られたファイルを削除しました。取り込むには、もう一度ファイルを送ってください。"),
    "failed": gettext_lazy("想定外のエラーで止まりました。何も登録していません。システム管理者に連絡してください。"),
    # Why a file cannot be read at all (an error for row 0).
    "file_empty": gettext_lazy("ファイルが空です。"),
    "file_too_large": gettext_lazy("ファイルが大きすぎます（200MBまで）。"),
    "file_too_large_limit": gettext_lazy("ファイルが大きすぎます（%(limit)sMBまで）。台帳を複数のファイルに分けてください。"),
    "xls_old": gettext_lazy("Excel 97-2003 形式（.xls）のファイルは読めません。Excel で「Excel ブック（.xlsx）」として保存し直してください。"),
    "xlsx_members": gettext_lazy("Excel（.xlsx）のファイルとして読めません（ファイルを構成する部品が%(limit)s個を超えています）。"),
    "xlsx_expands": gettext_lazy(
        "Excel（.xlsx）のファイルを展開すると大きすぎます（%(limit)sMBまで）。台帳を複数のファイルに分けてください。"),
    "xlsx_ratio": gettext_lazy(
        "Excel（.xlsx）のファイルの圧縮率が異常です（%(ratio)s倍。%(limit)s倍まで）。台帳のファイルとは考えられないため読みません。"),
    "xlsx_part": gettext_lazy("Excel（.xlsx）のファイルの文字列や書式の部分が大きすぎます（%(limit)sMBまで）。"),
    "too_many_rows": gettext_lazy("行が多すぎます（見出しを除いて%(limit)s行まで）。台帳を複数のファイルに分けてください。"),
    "too_many_columns": gettext_lazy("列が多すぎます（%(count)s列。%(limit)s列まで）。"),
    "too_many_columns_limit": gettext_lazy("列が多すぎます（%(limit)s列まで）。"),
    "line_too_long": gettext_lazy("%(row)s行目が長すぎます（1つのセルは%(chars)s文字まで、列は%(columns)s列までです）。"),
    "cell_too_long_in_row": gettext_lazy("%(row)s行目に長すぎるセルがあります（1つのセルは%(limit)s文字までです）。"),
    "file_format": gettext_lazy("Excel（.xlsx）か CSV（.csv）のファイルを選んでください。"),
    "not_text": gettext_lazy("CSV ファイルとして読めません（文字以外のデータを含んでいます）。Excel の .xlsx か CSV を選んでください。"),
    "encoding": gettext_lazy("文字コードを判別できません。UTF-8 または Shift_JIS（CP932）で保存した CSV を選んでください。"),
    "csv_unreadable": gettext_lazy("CSV として読めません：%(error)s"),
    "xlsx_unreadable": gettext_lazy("Excel（.xlsx）のファイルとして読めません。"),
    "no_header": gettext_lazy("1行目に見出し（開催日、区、事例番号…）がありません。"),
    "header_repeated": gettext_lazy("見出しが重複しています：%(names)s"),
    "columns_missing": gettext_lazy("必要な列がありません：%(names)s"),
    "no_rows": gettext_lazy("見出しのほかに行がありません。"),
    # Why a cell is wrong.
    "date_blank": gettext_lazy("開催日が空欄です。"),
    "date_unreadable": gettext_lazy("日付として読めません（例: 2020-05-12、令和2年5月12日、R2.5.12）。"),
    "date_impossible": gettext_lazy("存在しない日付です。"),
    "date_outside_era": gettext_lazy("その元号の期間に含まれない日付です。"),
    "date_too_early": gettext_lazy("明治6年（1873年）より前の日付は扱えません。"),
    "cell_too_long": gettext_lazy("長すぎます（1つのセルは%(limit)s文字までです）。"),
    "flag_unreadable": gettext_lazy("有・無（あり・なし、○・×、1・0）のどれかで入力してください。"),
    "not_found": gettext_lazy("%(what)sが見つかりません。"),
    "other_ward": gettext_lazy("担当の区・圏域（%(ward)s）の行だけを取り込めます。"),
    "case_number_blank": gettext_lazy("事例番号が空欄です。"),
    "case_number_too_long": gettext_lazy("事例番号は50文字までです。"),
    "case_ward_differs": gettext_lazy("事例番号 %(case)s は%(row)d行目で%(ward)sとされています。"),
    "case_referrer_differs": gettext_lazy("事例番号 %(case)s の相談のあった機関が%(row)d行目と違います。"),
    # What the check noticed without refusing the file (ImportJob.notices).
    "same_meeting": gettext_lazy("%(rows)sは同じ会議です（事例番号 %(case)s、%(held_on)s）。"),
    "same_meeting_differs": gettext_lazy(
        "%(rows)sは事例番号・開催日・会議種別・開催根拠が同じです（事例番号 %(case)s、%(held_on)s）。ほかの列の内容は違います。"),
    # A text stored before notices had kinds, that the migration could not read back (shown as it is).
    "text": "%(text)s",
}

# `what` of "not_found": which master list had no such name (the keys are ledger.models.AliasKind's values).
WHAT = {
    "ward": gettext_lazy("区・圏域"),
    "kind": gettext_lazy("会議種別"),
    "basis": gettext_lazy("開催根拠"),
    "category": gettext_lazy("機関種別"),
    "issue": gettext_lazy("課題"),
}


@dataclass(frozen=True)
class Notice:
    kind: str
    params: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"kind": self.kind, "params": self.params}

    @classmethod
    def from_json(cls, data) -> "Notice":
        """A stored notice; a plain text (stored before notices had kinds) is shown as it is."""
        if isinstance(data, dict) and data.get("kind"):
            return cls(data["kind"], dict(data.get("params") or {}))
        return cls("text", {"text": str(data or "")})

    def text(self, *, date_style: str = "wareki") -> str:
        """The notice in the active language, dates in `date_style` ("wareki" or "seireki")."""
        template = TEXTS.get(self.kind)
        if template is None:  # a kind this version does not know (written by a newer one): say what is known
            return str(self.params.get("text") or self.kind)
        values = {name: _value(name, value, date_style) for name, value in self.params.items()}
        return str(template) % values if "%(" in str(template) else str(template)

    def __str__(self) -> str:
        return self.text()


class NoticeError(ValueError):
    """A ValueError that says what is wrong as a Notice (so that it can be stored and read in any language)."""

    def __init__(self, kind: str, **params):
        self.notice = Notice(kind, params)
        super().__init__(kind)

    def __str__(self) -> str:
        return self.notice.text()


def _day(day: dt.date, date_style: str) -> str:
    return wareki.format_seireki(day) if date_style == "seireki" else wareki.format_wareki(day)


def _value(name: str, value, date_style: str):
    if name == "when" and isinstance(value, str):
        moment = dt.datetime.fromisoformat(value)
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return f"{_day(moment.date(), date_style)} {moment:%H:%M}"
    if name == "held_on" and isinstance(value, str):
        return _day(dt.date.fromisoformat(value), date_style)
    if name == "what":
        return str(WHAT.get(value, value))
    if name == "rows" and isinstance(value, list):
        return rows_text(value)
    if isinstance(value, list):
        return _("、").join(str(v) for v in value)
    return value


def rows_text(rows: list[int]) -> str:
    """「行5」「行5と行9」「行5・行9と行12」."""
    named = [_("行%(row)d") % {"row": row} for row in rows]
    if len(named) == 1:
        return named[0]
    return _("%(rows)sと%(last)s") % {"rows": _("・").join(named[:-1]), "last": named[-1]}
