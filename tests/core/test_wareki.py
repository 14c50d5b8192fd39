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


# ------------------------------------------------------------------------------------------------ formatting


@pytest.mark.parametrize(("day", "wareki_text", "seireki_text"), [
    (dt.date(2026, 5, 1), "令和8年5月", "2026年5月"),
    (dt.date(2019, 5, 31), "令和元年5月", "2019年5月"),
    (dt.date(2019, 4, 30), "平成31年4月", "2019年4月"),
    (dt.date(1989, 1, 31), "昭和64年1月", "1989年1月"),  # a month is named by its first day
])
def test_a_month_is_written_in_the_era_of_its_first_day(day, wareki_text, seireki_text):
    assert wareki.format_month(day) == wareki_text
    assert wareki.format_month(day, "seireki") == seireki_text


def test_a_datetime_is_written_in_tokyo_time_in_the_readers_style():
    moment = dt.datetime(2026, 11, 29, 20, 36, tzinfo=dt.UTC)  # 30 November, 05:36 in Tokyo
    assert wareki.format_datetime(moment) == "令和8年11月30日 05:36"
    assert wareki.format_datetime(moment, "seireki") == "2026年11月30日 05:36"
    assert wareki.format_date(moment) == "令和8年11月30日"


def test_a_period_is_two_dates_joined_by_a_wave_dash():
    assert wareki.format_period(dt.date(2026, 4, 1), dt.date(2026, 10, 31)) == "令和8年4月1日〜令和8年10月31日"


# ------------------------------------------------------------------------------------------------ reading


@pytest.mark.parametrize(("text", "expected"), [
    ("令和2年5月12日", dt.date(2020, 5, 12)),
    ("R2.5.12", dt.date(2020, 5, 12)),
    ("r2/5/12", dt.date(2020, 5, 12)),
    ("R2-05-12", dt.date(2020, 5, 12)),
    ("令和 2年 5月 12日", dt.date(2020, 5, 12)),
    ("令和元年5月1日", dt.date(2019, 5, 1)),
    ("R元.5.1", dt.date(2019, 5, 1)),
    ("H31.4.30", dt.date(2019, 4, 30)),
    ("平成31年4月30日", dt.date(2019, 4, 30)),
    ("平成元年1月8日", dt.date(1989, 1, 8)),
    ("昭和64年1月7日", dt.date(1989, 1, 7)),
    ("昭和23年6月15日", dt.date(1948, 6, 15)),
    ("S23.6.15", dt.date(1948, 6, 15)),
    ("大正元年7月30日", dt.date(1912, 7, 30)),
    ("T15.12.24", dt.date(1926, 12, 24)),
    ("明治45年7月29日", dt.date(1912, 7, 29)),
    ("2020-05-12", dt.date(2020, 5, 12)),
    ("2020/5/12", dt.date(2020, 5, 12)),
    ("2020.5.12", dt.date(2020, 5, 12)),
    ("2020年5月12日", dt.date(2020, 5, 12)),
    ("２０２０／５／１２", dt.date(2020, 5, 12)),
    ("令和２年５月１２日", dt.date(2020, 5, 12)),
    ("Ｒ２．５．１２", dt.date(2020, 5, 12)),
    ("  2020-05-12　", dt.date(2020, 5, 12)),
])
def test_every_typed_form_of_a_date_is_read(text, expected):
    assert wareki.parse_date(text) == expected


def test_an_era_year_past_its_end_is_read_by_arithmetic():
    # Forms printed before 2019 still say 平成: 平成32年 is 2020, as 令和2年.
    assert wareki.parse_date("平成32年4月1日") == dt.date(2020, 4, 1)
    assert wareki.parse_date("S64.1.8") == dt.date(1989, 1, 8)


@pytest.mark.parametrize(("text", "message"), [
    ("令和2年2月30日", "存在しない日付です。2月は29日までです。"),
    ("2021/2/29", "存在しない日付です。2月は28日までです。"),
    ("R2.4.31", "存在しない日付です。4月は30日までです。"),
    ("令和2年13月1日", "存在しない日付です。月は1から12までです。"),
    ("令和元年4月30日", "その元号の期間に含まれない日付です。令和は令和元年5月1日からです。"),
    ("H1.1.7", "その元号の期間に含まれない日付です。平成は平成元年1月8日からです。"),
    ("令和0年5月1日", "元号の年は元年（1年）から数えます。"),
    ("明治5年12月1日", "明治6年（1873年）より前の日付は扱えません。"),
    ("1800-01-01", "明治6年（1873年）より前の日付は扱えません。"),
    ("来週", "日付として読めません"),
    ("20200512", "日付として読めません"),
    ("X2.5.12", "日付として読めません"),
    ("", "日付として読めません"),
])
def test_a_date_that_cannot_be_says_why_in_japanese(text, message):
    with pytest.raises(wareki.DateError) as caught:
        wareki.parse_date(text)
    assert message in str(caught.value)


@pytest.mark.parametrize(("text", "expected"), [
    ("令和2年5月12日 14:30", dt.datetime(2020, 5, 12, 14, 30)),
    ("令和2年5月12日14時30分", dt.datetime(2020, 5, 12, 14, 30)),
    ("R2.5.12 9時", dt.datetime(2020, 5, 12, 9, 0)),
    ("2020-05-12T14:30", dt.datetime(2020, 5, 12, 14, 30)),
    ("2020-05-12 14:30:15", dt.datetime(2020, 5, 12, 14, 30, 15)),
    ("２０２０/５/１２　１４：３０", dt.datetime(2020, 5, 12, 14, 30)),
    ("S23.6.15", dt.datetime(1948, 6, 15)),
])
def test_a_typed_date_and_time_is_read(text, expected):
    assert wareki.parse_datetime(text) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("令和2年5月12日 25:00", "存在しない時刻です。"),
    ("令和2年2月30日 10:00", "存在しない日付です。"),
    ("令和2年5月12日 昼", "日時として読めません"),
])
def test_a_date_and_time_that_cannot_be_says_why(text, message):
    with pytest.raises(wareki.DateError, match=message):
        wareki.parse_datetime(text)


def test_dates_written_in_python_follow_the_reader_in_force():
    day = dt.date(2020, 5, 12)
    assert wareki.format_date(day) == "令和2年5月12日"
    with wareki.reading_as("seireki"):
        assert (wareki.format_date(day), wareki.format_month(day)) == ("2020年5月12日", "2020年5月")
        assert wareki.format_date(day, "wareki") == "令和2年5月12日"  # a text stored for others says so
    asked = []
    with wareki.reading_as(lambda: asked.append(True) or "seireki"):
        assert asked == []  # the reader (a request's user) is looked up only when a date is written
        assert wareki.format_value(day) == "2020年5月12日"
    assert wareki.format_date(day) == "令和2年5月12日" and wareki.format_value("2020") == "2020"


@pytest.mark.parametrize(("text", "fy"), [
    ("令和2年度", 2020), ("R2", 2020), ("r2年度", 2020), ("令和元年度", 2019), ("H30年度", 2018), ("平成31年度", 2019),
    ("昭和63年度", 1988), ("2020", 2020), ("２０２０年度", 2020), ("Ｒ２", 2020),
])
def test_a_fiscal_year_is_read_in_either_calendar(text, fy):
    assert wareki.parse_fiscal_year(text) == fy


@pytest.mark.parametrize("text", ["令和", "20", "R2.5", "来年度"])
def test_a_fiscal_year_that_cannot_be_read_says_so(text):
    with pytest.raises(wareki.DateError, match="年度として読めません"):
        wareki.parse_fiscal_year(text)
