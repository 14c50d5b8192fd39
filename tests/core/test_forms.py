"""core.forms: every date and datetime a person types may be 和暦, in every form of the product."""

import datetime as dt
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import django_filters
import pytest
from django import forms
from django.conf import settings
from django.utils import timezone

from core import wareki
from core.forms import DateField, DateTimeField, QuickCheckboxes, QuickSelect

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


def _box_value(bound_field):
    return re.search(r'value="([^"]*)"', str(bound_field)).group(1)


def test_the_boxes_are_text_boxes_that_show_their_value_in_wareki():
    form = _Form(initial={"day": dt.date(2020, 5, 12), "moment": timezone.make_aware(dt.datetime(2026, 11, 30, 9, 57))})
    assert 'type="text"' in str(form["day"]) and 'type="text"' in str(form["moment"])
    assert _box_value(form["day"]) == "令和2年5月12日"
    assert _box_value(form["moment"]) == "令和8年11月30日 09:57"  # Tokyo time


@pytest.mark.parametrize(("style", "day", "moment"), [
    (wareki.WAREKI, "令和元年5月1日", "令和元年5月1日 00:30"),
    (wareki.SEIREKI, "2019年5月1日", "2019年5月1日 00:30"),
])
def test_a_form_sent_again_as_shown_keeps_its_dates_in_either_style(style, day, moment):
    initial = {"day": dt.date(2019, 5, 1), "moment": timezone.make_aware(dt.datetime(2019, 5, 1, 0, 30))}
    with wareki.reading_as(style):
        shown = _Form(initial=initial)
        data = {"day": _box_value(shown["day"]), "moment": _box_value(shown["moment"])}
    assert data == {"day": day, "moment": moment}
    sent = _Form(data=data, initial=initial)
    assert sent.is_valid(), sent.errors
    assert sent.cleaned_data == initial
    assert not sent.has_changed()


def test_a_typed_date_is_shown_back_in_wareki_and_one_that_does_not_read_as_typed():
    form = _Form(data={"day": "2026-04-01", "moment": "R8.11.30 9時57分"})  # ISO, as a filter's query string has it
    assert (_box_value(form["day"]), _box_value(form["moment"])) == ("令和8年4月1日", "令和8年11月30日 09:57")
    form = _Form(data={"day": "令和2年2月30日", "moment": "きのう"})
    assert (_box_value(form["day"]), _box_value(form["moment"])) == ("令和2年2月30日", "きのう")


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


class TestQuickSelect:
    """core.forms.QuickSelect writes the options itself: the very HTML Django's widget templates write."""

    CHOICES = [
        ("", "---------"),
        ("北区・高齢 <&>", [(1, "北区地域包括支援センター"), (2, '"引用" & <b>タグ</b>'), (3, "三")]),
        ("市全域・就労", [(4, "ハローワーク")]),
        (5, "グループの外"),
    ]

    @pytest.mark.parametrize(("widget", "value"), [
        (QuickSelect(choices=CHOICES, attrs={"data-x": "<値>", "required": True, "disabled": False}), 2),
        (QuickSelect(choices=CHOICES), None),
        (type("Multiple", (QuickSelect, forms.SelectMultiple), {})(choices=CHOICES, attrs={"size": 8}), [1, 5]),
    ])
    def test_it_writes_what_the_templates_write(self, widget, value):
        quick = widget.render("agency", value, attrs={"id": "id_agency"})
        templated = forms.Widget.render(widget, "agency", value, attrs={"id": "id_agency"})
        assert quick == templated
        assert quick.count("<option ") == 6

    def test_a_form_validates_as_with_a_plain_select(self):
        class Form(forms.Form):
            agency = forms.ChoiceField(choices=self.CHOICES, widget=QuickSelect)

        assert Form({"agency": "4"}).is_valid()
        assert not Form({"agency": "9"}).is_valid()

    @pytest.mark.parametrize("attrs", [{"id": "id_cases", "class": "checks"}, {}])
    def test_checkboxes_write_what_the_templates_write(self, attrs):
        widget = QuickCheckboxes(choices=self.CHOICES[1:], attrs=attrs)
        quick = widget.render("cases", [2, 5])
        assert quick == forms.Widget.render(widget, "cases", [2, 5])
        assert quick.count('type="checkbox"') == 5 and quick.count(" checked") == 2
