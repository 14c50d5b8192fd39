"""Japanese-style dates in templates: {% jdate value %}, {% jmonth value %} and {% jperiod start end %} follow
the user's choice of 和暦 or 西暦."""

import datetime as dt

from django import template

from core import wareki

register = template.Library()


def _style(context) -> str:
    user = getattr(context.get("request"), "user", None)
    return getattr(user, "date_style", None) or wareki.active_style()


def _as_date(value):
    """A date, a datetime, or the ISO text of one (a report's JSON period)."""
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value) if "T" in value or " " in value else dt.date.fromisoformat(value)
    return value


@register.simple_tag(takes_context=True)
def jdate(context, value, with_time=False):
    if not value:
        return ""
    value = _as_date(value)
    if with_time and isinstance(value, dt.datetime):
        return wareki.format_datetime(value, _style(context))
    return wareki.format_date(value, _style(context))


@register.simple_tag(takes_context=True)
def jmonth(context, value):
    """A month (a date, or the text "2026-05"): 令和8年5月."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(f"{value}-01")
    return wareki.format_month(value, _style(context))


@register.simple_tag(takes_context=True)
def jperiod(context, start, end):
    """Two dates (or their ISO texts): 令和8年4月1日〜令和8年10月31日."""
    start, end = _as_date(start), _as_date(end)
    return wareki.format_period(start, end, _style(context))


@register.filter
def wareki_date(value):
    return wareki.format_date(value) if value else ""


@register.filter
def fiscal_year_label(fy):
    return wareki.fiscal_year_label(int(fy)) if fy not in (None, "") else ""
