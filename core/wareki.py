"""Fiscal years (年度) and Japanese era dates (和暦), DOMAIN.md §5: written for readers, read from what people type."""

import datetime as dt
import re
import unicodedata
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple

from django.utils import timezone
from django.utils.translation import gettext as _


class Era(NamedTuple):
    name: str
    short: str
    start: dt.date


# Newest first. Dates before 明治6年1月1日 (the solar calendar) are outside what this product records.
EARLIEST = dt.date(1873, 1, 1)
ERAS = (
    Era("令和", "R", dt.date(2019, 5, 1)),
    Era("平成", "H", dt.date(1989, 1, 8)),
    Era("昭和", "S", dt.date(1926, 12, 25)),
    Era("大正", "T", dt.date(1912, 7, 30)),
    Era("明治", "M", dt.date(1868, 10, 23)),
)


def era_for_date(day: dt.date) -> Era:
    if day < EARLIEST:
        raise ValueError(f"{day} is before the dates this product records (明治6年)")
    for era in ERAS:
        if day >= era.start:
            return era
    raise AssertionError("unreachable: EARLIEST falls within 明治")


def _year_number(n: int) -> str:
    return "元" if n == 1 else str(n)


def wareki_year(day: dt.date) -> tuple[Era, int]:
    era = era_for_date(day)
    return era, day.year - era.start.year + 1


def format_wareki(day: dt.date) -> str:
    """2020-05-12 → 令和2年5月12日; 2019-05-01 → 令和元年5月1日."""
    era, year = wareki_year(day)
    return f"{era.name}{_year_number(year)}年{day.month}月{day.day}日"


def format_seireki(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# A reader's choice (accounts.User.date_style): "wareki" (the default) or "seireki".
WAREKI, SEIREKI = "wareki", "seireki"

# The style of whoever is reading now, like the active language: core.middleware.DateStyleMiddleware sets it
# for a request (lazily, as a function of the request's user); the worker and commands write 和暦.
_reader_style: ContextVar = ContextVar("reader_date_style", default=None)


def active_style() -> str:
    style = _reader_style.get()
    if callable(style):
        style = style()
    return SEIREKI if style == SEIREKI else WAREKI


@contextmanager
def reading_as(style):
    """Dates written inside follow `style` ("wareki", "seireki", or a function giving one when first asked)."""
    token = _reader_style.set(style)
    try:
        yield
    finally:
        _reader_style.reset(token)


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def format_date(day: dt.date, style: str | None = None) -> str:
    """A date as the reader chose: 令和2年5月12日, or 2020年5月12日. A datetime counts as its day in Tokyo.
    Text stored for others to read later (a notification) is written with format_wareki instead."""
    if isinstance(day, dt.datetime):
        day = _local(day).date()
    return format_seireki(day) if (style or active_style()) == SEIREKI else format_wareki(day)


def format_datetime(moment: dt.datetime, style: str | None = None) -> str:
    """令和2年4月1日 00:30 (Tokyo time for an aware datetime)."""
    moment = _local(moment)
    return f"{format_date(moment.date(), style)} {moment:%H:%M}"


def format_month(day: dt.date, style: str | None = None) -> str:
    """The month a date falls in: 令和2年5月, or 2020年5月 (令和元年5月, 平成31年4月)."""
    if (style or active_style()) == SEIREKI:
        return f"{day.year}年{day.month}月"
    era, year = wareki_year(day.replace(day=1))  # named by its first day: 2019-04 is 平成31年4月, 2019-05 令和元年5月
    return f"{era.name}{_year_number(year)}年{day.month}月"


def format_period(start: dt.date, end: dt.date, style: str | None = None) -> str:
    """令和8年4月1日〜令和8年10月31日."""
    return f"{format_date(start, style)}〜{format_date(end, style)}"


def format_value(value, style: str | None = None):
    """A date or datetime written for the reader; anything else as it is (a changed field's before and after)."""
    if isinstance(value, dt.datetime):
        return format_datetime(value, style)
    if isinstance(value, dt.date):
        return format_date(value, style)
    return value


def fiscal_year(day: dt.date) -> int:
    """The 年度 a date falls in: 1 April to 31 March, named by the year it starts in."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_bounds(fy: int) -> tuple[dt.date, dt.date]:
    return dt.date(fy, 4, 1), dt.date(fy + 1, 3, 31)


def fiscal_year_era(fy: int) -> tuple[Era, int]:
    """A fiscal year is named in the era whose first calendar year it starts in or after.

    FY2019 = 令和元年度 (though 1 April 2019 was still 平成31年), FY2018 = 平成30年度,
    FY1989 = 平成元年度, FY1988 = 昭和63年度 — Reiwa year = FY − 2018, Heisei year = FY − 1988.
    """
    for era in ERAS:
        if fy >= era.start.year and fy >= EARLIEST.year:
            return era, fy - era.start.year + 1
    raise ValueError(f"fiscal year {fy} is before the dates this product records")


def fiscal_year_label(fy: int) -> str:
    """2020 → 令和2年度, 2019 → 令和元年度."""
    era, year = fiscal_year_era(fy)
    return f"{era.name}{_year_number(year)}年度"


def fiscal_year_short_label(fy: int) -> str:
    """2020 → R2年度, 2019 → R元年度 (the column headings of seed 000)."""
    era, year = fiscal_year_era(fy)
    return f"{era.short}{_year_number(year)}年度"


# ------------------------------------------------------------------------------------------------ reading


class DateError(ValueError):
    """A typed date that cannot be a date; the message says why, in Japanese."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


ERA_BY_NAME = {era.name: era for era in ERAS} | {era.short: era for era in ERAS}
_ERA = "|".join([era.name for era in ERAS] + [era.short for era in ERAS])
_DATE = (rf"(?:(?P<era>{_ERA})\s*(?P<era_year>元|\d{{1,2}})|(?P<year>\d{{4}}))"
         r"\s*[年./\-]\s*(?P<month>\d{1,2})\s*[月./\-]\s*(?P<day>\d{1,2})\s*日?")
_TIME = r"(?P<hour>\d{1,2})\s*(?:[:：時]\s*(?P<minute>\d{1,2})?\s*分?)(?:\s*:\s*(?P<second>\d{1,2})(?:\.\d+)?)?"
DATE_PATTERN = re.compile(rf"^{_DATE}$")
DATETIME_PATTERN = re.compile(rf"^{_DATE}(?:\s*T?\s*{_TIME})?$")


def _clean(text) -> str:
    """全角 digits and letters to ASCII (NFKC), outer spaces off, r2 read as R2."""
    return unicodedata.normalize("NFKC", str(text or "")).strip().upper()


def _day_from(match) -> dt.date:
    era = None
    if match.group("era"):
        era = ERA_BY_NAME[match.group("era")]
        number = 1 if match.group("era_year") == "元" else int(match.group("era_year"))
        if number < 1:
            raise DateError(_("元号の年は元年（1年）から数えます。"), "era")
        # A year past the era's end is read by arithmetic (平成32年 = 2020), as old forms still print it.
        year = era.start.year - 1 + number
    else:
        year = int(match.group("year"))
    if year < EARLIEST.year:
        raise DateError(_("明治6年（1873年）より前の日付は扱えません。"), "too_early")
    month, day = int(match.group("month")), int(match.group("day"))
    if not 1 <= month <= 12:
        raise DateError(_("存在しない日付です。月は1から12までです。"), "invalid_date")
    try:
        parsed = dt.date(year, month, day)
    except ValueError:
        last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
        raise DateError(_("存在しない日付です。%(month)d月は%(last)d日までです。") % {"month": month, "last": last},
                        "invalid_date") from None
    if era is not None and parsed < era.start:
        raise DateError(_("その元号の期間に含まれない日付です。%(era)sは%(start)sからです。")
                        % {"era": era.name, "start": format_wareki(era.start)}, "era")
    if parsed < EARLIEST:
        raise DateError(_("明治6年（1873年）より前の日付は扱えません。"), "too_early")
    return parsed


def parse_date(text) -> dt.date:
    """What people type for a date: 令和2年5月12日, 令和元年5月1日, R2.5.12, r2/5/12, H31.4.30, S23.6.15,
    2020-05-12, 2020/5/12, 2020年5月12日, in 全角 or 半角. Raises DateError saying why not."""
    match = DATE_PATTERN.match(_clean(text))
    if not match:
        raise DateError(_("日付として読めません（例: 令和2年5月12日、R2.5.12、2020/5/12）。"), "invalid")
    return _day_from(match)


def parse_datetime(text) -> dt.datetime:
    """A date as parse_date reads it, then a time: 令和2年5月12日 14:30, R2.5.12 14時30分, 2020-05-12T14:30.
    Naive: the caller says which time zone it is in. A date alone is midnight."""
    match = DATETIME_PATTERN.match(_clean(text))
    if not match:
        raise DateError(_("日時として読めません（例: 令和2年5月12日 14:30、R2.5.12 14:30、2020/5/12 14:30）。"), "invalid")
    day = _day_from(match)
    hour, minute, second = (int(match.group(g) or 0) for g in ("hour", "minute", "second"))
    if hour > 23 or minute > 59 or second > 59:
        raise DateError(_("存在しない時刻です。0:00から23:59までで入力してください。"), "invalid_time")
    return dt.datetime.combine(day, dt.time(hour, minute, second))


FISCAL_YEAR_PATTERN = re.compile(rf"^(?:(?P<era>{_ERA})\s*(?P<era_year>元|\d{{1,2}})|(?P<year>\d{{4}}))\s*(?:年度?)?$")


def parse_fiscal_year(text) -> int:
    """A 年度 as people write it — 令和2年度, R2, 令和元年度, H30年度, 2020年度, 2020 — as the year it starts in."""
    match = FISCAL_YEAR_PATTERN.match(_clean(text))
    if not match:
        raise DateError(_("年度として読めません（例: 令和2年度、R2、2020）。"), "invalid")
    if not match.group("era"):
        return int(match.group("year"))
    number = 1 if match.group("era_year") == "元" else int(match.group("era_year"))
    if number < 1:
        raise DateError(_("元号の年は元年（1年）から数えます。"), "era")
    return ERA_BY_NAME[match.group("era")].start.year - 1 + number
