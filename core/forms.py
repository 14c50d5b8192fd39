"""Form helpers every app uses: one date field and one datetime field that read 和暦, one way to run a service
from a form."""

import datetime as dt

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.utils import from_current_timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core import wareki

# Text boxes, not the browser's date pickers: a date picker cannot take 令和2年5月12日 or S23.6.15 typed in.
# The value written into the box is in the reader's style (core.wareki.format_date: 令和2年5月12日, or
# 2020年5月12日), which the fields read back exactly, so a form sent again keeps its dates.


class DateInput(forms.DateInput):
    """A date box showing its value as the reader writes dates. Typed text that reads as a date (R2.5.12, or the
    ISO of a filter's query string) is shown the same way; text that does not is left as typed, by its error."""

    parse, write = staticmethod(wareki.parse_date), staticmethod(wareki.format_date)

    def format_value(self, value):
        if value in ("", None):
            return None
        if isinstance(value, str):
            try:
                value = self.parse(value)
            except wareki.DateError:
                return value
        if isinstance(value, dt.date):
            return self.write(value)
        return super().format_value(value)


class DateTimeInput(DateInput):
    """令和2年5月12日 14:00 (the time zone's local time: DateTimeField.prepare_value has made it naive)."""

    parse, write = staticmethod(wareki.parse_datetime), staticmethod(wareki.format_datetime)  # type: ignore[assignment]

    def format_value(self, value):
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = dt.datetime.combine(value, dt.time())
        return super().format_value(value)


DATE = DateInput(attrs={
    "autocomplete": "off", "size": 16, "placeholder": _("例: 令和2年5月12日、R2.5.12"),
})
DATETIME = DateTimeInput(attrs={
    "autocomplete": "off", "size": 22, "placeholder": _("例: 令和2年5月12日 14:00"),
})


class DateField(forms.DateField):
    """A date typed in 和暦 or 西暦 (core.wareki.parse_date), with a Japanese message saying what is wrong."""

    widget = DATE

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return wareki.parse_date(value)
        except wareki.DateError as error:
            raise ValidationError(str(error), code=error.code) from None


class DateTimeField(forms.DateTimeField):
    """A date and time typed in 和暦 or 西暦 (core.wareki.parse_datetime), in the current time zone."""

    widget = DATETIME

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return from_current_timezone(value)
        if isinstance(value, dt.date):
            return from_current_timezone(dt.datetime.combine(value, dt.time()))
        try:
            return from_current_timezone(wareki.parse_datetime(value))
        except wareki.DateError as error:
            raise ValidationError(str(error), code=error.code) from None


class FiscalYearField(forms.IntegerField):
    """A 年度 typed as 令和2年度, R2, 平成30年度 or 2020 (core.wareki.parse_fiscal_year), cleaned to 2020."""

    widget = forms.TextInput(attrs={"autocomplete": "off", "size": 12, "placeholder": _("例: 令和2年度、R2")})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        try:
            return wareki.parse_fiscal_year(value)
        except wareki.DateError as error:
            raise ValidationError(str(error), code="invalid") from None


def date_formfield(db_field, **kwargs):
    """formfield_callback: a model's dates become the fields above."""
    if isinstance(db_field, models.DateTimeField):
        kwargs.setdefault("form_class", DateTimeField)
    elif isinstance(db_field, models.DateField):
        kwargs.setdefault("form_class", DateField)
    return db_field.formfield(**kwargs)


class ModelForm(forms.ModelForm):
    """A ModelForm whose date and datetime fields read 和暦: every subclass's Meta gets date_formfield."""

    def __init_subclass__(cls, **kwargs):
        # Runs inside ModelFormMetaclass before it reads Meta, so the fields are built with the callback.
        super().__init_subclass__(**kwargs)
        meta = cls.__dict__.get("Meta")
        if meta is not None and not hasattr(meta, "formfield_callback"):
            meta.formfield_callback = staticmethod(date_formfield)


def _attrs_html(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: ` name="value"`, a bare ` name` for True, nothing for False."""
    return "".join(f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{conditional_escape(value)}"'
                   for name, value in attrs.items() if value is not False)


class QuickSelect(forms.Select):
    """A select whose options are written here rather than each through django/forms/widgets/select_option.html:
    the same HTML as Django's templates (every text escaped alike), without a template render an option (a
    municipality's few hundred agencies cost most of a page otherwise). Choices and validation are Select's."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs_html(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            parts += [f'\n  <option value="{conditional_escape(str(option["value"]))}"{_attrs_html(option["attrs"])}>'
                      f'{conditional_escape(option["label"])}</option>\n' for option in options]
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # every value above is escaped


class QuickCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes written like QuickSelect's options: the same HTML as django/forms/widgets/checkbox_select.html,
    without four template renders a box (a ward's open cases to discuss run to hundreds)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        box_id, css = widget["attrs"].get("id"), widget["attrs"].get("class")
        parts = ["<div", f' id="{conditional_escape(box_id)}"' if box_id else "",
                 f' class="{conditional_escape(css)}"' if css else "", ">"]
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(f"\n  <div><label>{conditional_escape(group)}</label>")
            parts += [f"<div>\n    {_checkbox_html(option)}</div>" for option in options]
            if group:
                parts.append("\n  </div>")
        parts.append("\n</div>")
        return mark_safe("".join(parts))  # every value is escaped


def _checkbox_html(option: dict) -> str:
    """django/forms/widgets/checkbox_option.html (input_option.html around input.html), newlines and all."""
    value = "" if option["value"] is None else f' value="{conditional_escape(str(option["value"]))}"'
    box = (f'<input type="{conditional_escape(option["type"])}" name="{conditional_escape(option["name"])}"{value}'
           f'{_attrs_html(option["attrs"])}>\n')
    if not option["wrap_label"]:
        return f"{box}\n"
    label_for = f' for="{conditional_escape(option["attrs"]["id"])}"' if option["attrs"].get("id") else ""
    return f"<label{label_for}>{box} {conditional_escape(option['label'])}</label>\n\n"


class DateFilter(django_filters.DateFilter):
    """A django-filter date that reads 和暦 like the forms."""

    field_class = DateField


def call_service(form, service, **kwargs):
    """Run a service; a ValidationError it raises becomes a message on the form. Returns the result or None."""
    try:
        return service(**kwargs)
    except ValidationError as error:
        form.add_error(None, error)
        changes = getattr(error, "changes", None)
        if changes is not None:
            form.stale_changes = changes
        return None
