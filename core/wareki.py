"""Fiscal years (年度) and Japanese era dates (和暦), DOMAIN.md §5."""

import datetime as dt
from typing import NamedTuple


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
