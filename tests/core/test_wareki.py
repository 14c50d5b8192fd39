import datetime as dt

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from core import wareki


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2020, 5, 12), "令和2年5月12日"),
        (dt.date(2019, 5, 1), "令和元年5月1日"),
        (dt.date(2019, 4, 30), "平成31年4月30日"),
        (dt.date(1989, 1, 8), "平成元年1月8日"),
        (dt.date(1989, 1, 7), "昭和64年1月7日"),
        (dt.date(1926, 12, 25), "昭和元年12月25日"),
        (dt.date(1926, 12, 24), "大正15年12月24日"),
        (dt.date(1912, 7, 30), "大正元年7月30日"),
        (dt.date(1912, 7, 29), "明治45年7月29日"),
    ],
)
def test_dates_are_written_in_the_era_in_force_that_day(day, expected):
    assert wareki.format_wareki(day) == expected


@pytest.mark.parametrize(
    ("day", "fy"),
    [
        (dt.date(2020, 3, 31), 2019),
        (dt.date(2020, 4, 1), 2020),
        (dt.date(2021, 1, 31), 2020),
        (dt.date(2019, 4, 1), 2019),
    ],
)
def test_the_fiscal_year_runs_from_april_to_march(day, fy):
    assert wareki.fiscal_year(day) == fy


@pytest.mark.parametrize(
    ("fy", "label", "short"),
    [
        (2020, "令和2年度", "R2年度"),
        (2019, "令和元年度", "R元年度"),
        (2018, "平成30年度", "H30年度"),
        (1989, "平成元年度", "H元年度"),
        (1988, "昭和63年度", "S63年度"),
        (2022, "令和4年度", "R4年度"),
    ],
)
def test_fiscal_years_take_the_era_of_the_year_they_start_in(fy, label, short):
    assert wareki.fiscal_year_label(fy) == label
    assert wareki.fiscal_year_short_label(fy) == short


def test_reiwa_and_heisei_years_follow_the_domain_formulas():
    for fy in range(1989, 2019):
        assert wareki.fiscal_year_era(fy)[1] == fy - 1988
    for fy in range(2019, 2040):
        assert wareki.fiscal_year_era(fy)[1] == fy - 2018


def test_fiscal_year_bounds_are_the_first_of_april_and_the_last_of_march():
    assert wareki.fiscal_year_bounds(2019) == (dt.date(2019, 4, 1), dt.date(2020, 3, 31))


def test_a_date_before_the_solar_calendar_is_refused():
    with pytest.raises(ValueError):
        wareki.format_wareki(dt.date(1872, 12, 31))


class _User:
    is_authenticated = True

    def __init__(self, style):
        self.date_style = style


@pytest.mark.parametrize(("style", "expected"), [("wareki", "令和2年5月12日"), ("seireki", "2020年5月12日")])
def test_the_jdate_tag_follows_the_users_choice(style, expected):
    request = RequestFactory().get("/")
    request.user = _User(style)
    rendered = Template("{% load jp %}{% jdate day %}").render(Context({"request": request, "day": dt.date(2020, 5, 12)}))
    assert rendered == expected


def test_the_jdate_tag_shows_aware_datetimes_in_tokyo_time():
    request = RequestFactory().get("/")
    request.user = _User("wareki")
    # 2020-03-31 15:30 UTC is already 1 April in Japan.
    moment = dt.datetime(2020, 3, 31, 15, 30, tzinfo=dt.UTC)
    rendered = Template("{% load jp %}{% jdate moment with_time=True %}").render(
        Context({"request": request, "moment": moment})
    )
    assert rendered == "令和2年4月1日 00:30"
