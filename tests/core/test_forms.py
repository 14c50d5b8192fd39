"""core.forms: every date and datetime a person types may be 和暦, in every form of the product."""

import datetime as dt
import importlib
import inspect
import pkgutil
from pathlib import Path

import django_filters
import pytest
from django import forms
from django.conf import settings
from django.utils import timezone

from core.forms import DateField, DateTimeField

PROJECT = Path(settings.BASE_DIR).resolve()


class _Form(forms.Form):
    day = DateField(label="日付")
    moment = DateTimeField(label="日時", required=False)


@pytest.mark.parametrize("typed", [
    "令和2年5月12日", "R2.5.12", "r2/5/12", "2020-05-12", "2020/5/12", "２０２０／５／１２", "令和２年５月１２日",
])
def test_a_date_field_reads_what_people_type(typed):
    form = _Form(data={"day": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == dt.date(2020, 5, 12)


@pytest.mark.parametrize(("typed", "expected"), [
    ("令和元年5月1日", dt.date(2019, 5, 1)), ("H31.4.30", dt.date(2019, 4, 30)), ("平成31年4月30日", dt.date(2019, 4, 30)),
    ("昭和23年6月15日", dt.date(1948, 6, 15)), ("S23.6.15", dt.date(1948, 6, 15)),
])
def test_a_date_field_reads_every_era(typed, expected):
    form = _Form(data={"day": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == expected


@pytest.mark.parametrize(("typed", "message"), [
    ("令和2年2月30日", "存在しない日付です。2月は29日までです。"),
    ("令和元年4月30日", "その元号の期間に含まれない日付です。令和は令和元年5月1日からです。"),
    ("R2.13.1", "存在しない日付です。月は1から12までです。"),
    ("きのう", "日付として読めません（例: 令和2年5月12日、R2.5.12、2020/5/12）。"),
])
def test_a_date_field_says_in_japanese_what_is_wrong(typed, message):
    form = _Form(data={"day": typed})
    assert not form.is_valid()
    assert form.errors["day"] == [message]


def test_a_datetime_field_reads_wareki_in_tokyo_time():
    form = _Form(data={"day": "R2.5.12", "moment": "令和2年5月12日 14:30"})
    assert form.is_valid(), form.errors
    moment = form.cleaned_data["moment"]
    assert timezone.is_aware(moment)
    assert timezone.localtime(moment).replace(tzinfo=None) == dt.datetime(2020, 5, 12, 14, 30)


def test_a_datetime_field_says_what_is_wrong():
    form = _Form(data={"day": "R2.5.12", "moment": "令和2年5月12日 24:10"})
    assert not form.is_valid()
    assert form.errors["moment"] == ["存在しない時刻です。0:00から23:59までで入力してください。"]


def test_the_boxes_are_text_boxes_that_can_take_wareki_and_keep_an_iso_value():
    form = _Form(initial={"day": dt.date(2020, 5, 12)})
    html = str(form["day"])
    assert 'type="text"' in html and 'value="2020-05-12"' in html and "令和2年5月12日" in html  # the placeholder


# ------------------------------------------------------------------------------------------------ every form


# The REST API's query parameters are for machines: ISO dates, as its schema says.
MACHINES = {"api"}


def _project_modules(names=("forms", "filters", "admin")):
    for app in settings.INSTALLED_APPS:
        if app in MACHINES:
            continue
        root = Path(importlib.import_module(app).__file__).resolve().parent
        if PROJECT not in root.parents:
            continue
        for info in pkgutil.iter_modules([str(root)]):
            if info.name in names:
                yield importlib.import_module(f"{app}.{info.name}")


def _defined_in_project(base):
    modules = list(_project_modules())
    seen = []
    for module in modules:
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            app = cls.__module__.split(".")[0]
            if issubclass(cls, base) and app in settings.INSTALLED_APPS and app not in MACHINES and cls not in seen:
                seen.append(cls)
    return seen


def _date_fields_of_the_wrong_kind(fields):
    return [name for name, field in fields.items()
            if isinstance(field, forms.DateField | forms.DateTimeField)
            and not isinstance(field, DateField | DateTimeField)]


def test_every_form_of_the_product_reads_wareki_dates():
    checked = _defined_in_project(forms.BaseForm)
    assert len(checked) > 10
    wrong = {cls.__qualname__: bad for cls in checked if (bad := _date_fields_of_the_wrong_kind(cls.base_fields))}
    assert wrong == {}, "date fields that cannot take 和暦: use core.forms.DateField / ModelForm"


def test_every_filter_of_the_product_reads_wareki_dates():
    checked = _defined_in_project(django_filters.FilterSet)
    assert len(checked) >= 3
    wrong = {cls.__qualname__: name for cls in checked for name, f in cls.base_filters.items()
             if issubclass(f.field_class, forms.DateField | forms.DateTimeField)
             and not issubclass(f.field_class, DateField | DateTimeField)}
    assert wrong == {}, "date filters that cannot take 和暦: use core.forms.DateFilter"
