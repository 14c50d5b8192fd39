"""Japanese-style dates in templates: {% jdate value %} follows the user's choice of 和暦 or 西暦."""

import datetime as dt

from django import template
from django.utils import timezone

from core import wareki

register = template.Library()


def _as_date(value):
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


@register.simple_tag(takes_context=True)
def jdate(context, value, with_time=False):
    if not value:
        return ""
    user = getattr(context.get("request"), "user", None)
    style = getattr(user, "date_style", "wareki")
    day = _as_date(value)
    text = wareki.format_seireki(day) if style == "seireki" else wareki.format_wareki(day)
    if with_time and isinstance(value, dt.datetime):
        text += f" {timezone.localtime(value):%H:%M}"
    return text


@register.filter
def wareki_date(value):
    return wareki.format_wareki(_as_date(value)) if value else ""


@register.filter
def fiscal_year_label(fy):
    return wareki.fiscal_year_label(int(fy)) if fy not in (None, "") else ""
