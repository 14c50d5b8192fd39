"""The one agency picker for the forms of every app above (issue 14 item 10).

A municipality has hundreds of agencies (大阪市: 24 wards × every category). Every form that asks for an agency
uses the fields below: a select grouped by 分野 (the category's field), the ward's own agencies first, then the
city-wide ones, then the other wards'. static/js/agency-picker.js turns it into a searchable, keyboard-friendly
picker (Tom Select, vendored in static/vendor/tom-select/); without JavaScript it is still a plain grouped select.
"""

from functools import lru_cache

from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy as _

from core.forms import QuickSelect
from core.text import normalize_kana

from .models import Agency, AgencyCategory, Field

FIELD_ORDER = {value: index for index, value in enumerate(Field.values)}
FIELD_LABELS = dict(Field.choices)
RELATED = ("municipality", "ward", "category")  # what an option's group and search words read


def agency_queryset(municipality_id, ward=None, also=()):
    """The municipality's agencies; with a ward, that ward's and the city-wide ones (plus `also`)."""
    agencies = Agency.objects.filter(municipality_id=municipality_id, is_active=True)
    if ward is not None:
        agencies = Agency.objects.filter(
            Q(municipality_id=municipality_id, is_active=True) & (Q(ward=ward) | Q(ward__isnull=True)) | Q(pk__in=also)
        )
    return agencies.select_related(*RELATED).order_by("ward__sort_order", "category__sort_order", "name")


def _ward_id(ward):
    """A ward, its id, or its id as a string (a form's initial from the address) → its id."""
    ward_id = getattr(ward, "pk", ward)
    return int(ward_id) if isinstance(ward_id, str) and ward_id.isdigit() else ward_id


def _group_key(agency, ward_id) -> tuple[int, int]:
    """Sort key of an agency's group: whose it is (this ward, 市全域, other wards), then its 分野."""
    field_rank = FIELD_ORDER.get(agency.category.field, 99)
    if ward_id is None:
        return 0, field_rank
    return (0 if agency.ward_id == ward_id else 1 if agency.ward_id is None else 2), field_rank


def _group_label(agency, ward_id) -> str:
    """The label of the agency's group (asked once a group: the gettext calls add up over hundreds of agencies)."""
    field = agency.category.field
    field_label = str(FIELD_LABELS.get(field, field))
    if ward_id is None:
        return field_label
    if agency.ward_id == ward_id:
        scope = agency.ward.name
    elif agency.ward_id is None:
        scope = str(_("市全域"))
    else:
        scope = str(_("ほかの%(area)s") % {"area": agency.municipality.area_label})
    return str(_("%(scope)s・%(field)s") % {"scope": scope, "field": field_label})


def _choice(agency):
    return ModelChoiceIteratorValue(agency.pk, agency), agency.name


def grouped_agency_choices(agencies, *, ward=None, choice=_choice) -> list:
    """Agencies grouped by 分野, `ward`'s own first, then the city-wide ones, then the other wards' (each group
    in the given order). `choice(agency)` makes an option: (value, label)."""
    ward_id = _ward_id(ward)
    groups: dict[tuple, tuple[str, list]] = {}
    for agency in agencies:
        key = _group_key(agency, ward_id)
        if key not in groups:
            groups[key] = (_group_label(agency, ward_id), [])
        groups[key][1].append(choice(agency))
    return [groups[key] for key in sorted(groups)]


def search_keywords(obj) -> str:
    """What the picker also matches besides the option's text: the category, its 分野, the ward, the name in
    hiragana (so 「はろーわーく」 or 「ﾊﾛｰ」 finds ハローワーク) and with 障害 / 障がい written either way."""
    if isinstance(obj, Agency):
        category = obj.category
        words = (obj.name, category.name, obj.ward.name if obj.ward else str(_("市全域")))
    else:
        category = obj
        words = (category.name,)
    return _keywords((*words, str(FIELD_LABELS.get(category.field, ""))))


@lru_cache(maxsize=8192)
def _keywords(words: tuple[str, ...]) -> str:
    """search_keywords from its words alone, kept per process: a function of the text, so never out of date."""
    variants = []
    for word in words:
        variants += [normalize_kana(word), word.replace("障がい", "障害"), word.replace("障害", "障がい")]
    return " ".join(dict.fromkeys(w for w in words[1:] + tuple(variants) if w))


class AgencySelect(QuickSelect):
    """A grouped select of agencies that agency-picker.js makes searchable. Each option carries its search words.
    Its options are written without a template each (core.forms.QuickSelect): there are hundreds."""

    class Media:
        css = {"all": ["vendor/tom-select/tom-select.default.min.css", "css/agency-picker.css"]}
        # Deferred: the page is shown first, the picker takes over once it is parsed.
        js = [forms.Script("vendor/tom-select/tom-select.complete.min.js", defer=True),
              forms.Script("js/agency-picker.js", defer=True)]

    def __init__(self, attrs=None, choices=()):
        picker = {
            "data-agency-picker": "",
            "data-placeholder": _("機関名・種別・分野で探す"),
            "data-no-results": _("該当する機関がありません"),
            "data-remove-label": _("外す"),
        }
        super().__init__({**picker, **(attrs or {})}, choices)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if isinstance(instance, (Agency, AgencyCategory)):
            option["attrs"]["data-keywords"] = search_keywords(instance)
        return option


class AgencySelectMultiple(AgencySelect, forms.SelectMultiple):
    allow_multiple_selected = True

    def __init__(self, attrs=None, choices=()):
        # Without JavaScript a multiple select shows several rows (Ctrl-click); with it, the picker.
        super().__init__({"size": 8, **(attrs or {})}, choices)


class AgencyChoiceIterator(ModelChoiceIterator):
    """The field's agencies as grouped options, read when the form is rendered (never when it is not)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from grouped_agency_choices(self.queryset, ward=self.field.ward, choice=self.choice)


class AgencyFieldMixin:
    iterator = AgencyChoiceIterator
    ward = None  # whose agencies come first

    def offer(self, agencies, *, ward=None):
        """Offer these agencies (a queryset), `ward`'s first."""
        self.queryset = agencies.select_related(*RELATED)
        self.ward = ward

    def label_from_instance(self, agency):
        return agency.name


class AgencyChoiceField(AgencyFieldMixin, forms.ModelChoiceField):
    widget = AgencySelect

    def __init__(self, queryset=None, **kwargs):
        super().__init__(Agency.objects.none() if queryset is None else queryset, **kwargs)


class AgencyMultipleChoiceField(AgencyFieldMixin, forms.ModelMultipleChoiceField):
    widget = AgencySelectMultiple

    def __init__(self, queryset=None, **kwargs):
        super().__init__(Agency.objects.none() if queryset is None else queryset, **kwargs)


class ReferrerField(forms.Field):
    """相談のあった機関, asked once: an agency (its category follows from it) or, when no agency is named (e.g.
    a 民生委員), only its category — the yearly tables count cases by category (DOMAIN.md §6, 相談のあった機関).

    Values are "agency:<id>" / "category:<id>"; the cleaned value is (agency, category), (None, None) when blank."""

    widget = AgencySelect

    def __init__(self, *, municipality_id=None, ward=None, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.municipality_id, self.ward = municipality_id, ward
        self.widget.choices = CallableChoiceIterator(self._choices)

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.widget.choices = CallableChoiceIterator(result._choices)
        return result

    def _agencies(self):
        return agency_queryset(self.municipality_id)

    def _categories(self):
        return AgencyCategory.objects.for_municipality(self.municipality_id).active()

    def _choices(self):
        agencies = grouped_agency_choices(
            self._agencies(), ward=self.ward,
            choice=lambda agency: (ModelChoiceIteratorValue(f"agency:{agency.pk}", agency), agency.name),
        )
        categories = [(ModelChoiceIteratorValue(f"category:{c.pk}", c), _("%(category)s（機関名なし）") % {"category": c.name})
                      for c in self._categories()]
        return [("", _("本人・家族（機関からではない）")), *agencies, (_("種別だけを記録する"), categories)]

    def prepare_value(self, value):
        if isinstance(value, Agency):
            return f"agency:{value.pk}"
        if isinstance(value, AgencyCategory):
            return f"category:{value.pk}"
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None, None
        kind, _sep, pk = str(value).partition(":")
        if kind == "agency" and pk.isdigit():
            agency = self._agencies().filter(pk=pk).first()
            if agency is not None:
                return agency, agency.category
        if kind == "category" and pk.isdigit():
            category = self._categories().filter(pk=pk).first()
            if category is not None:
                return None, category
        raise forms.ValidationError(_("相談のあった機関を一覧から選んでください。"), code="invalid_choice")

    def validate(self, value):
        if self.required and value == (None, None):
            raise forms.ValidationError(self.error_messages["required"], code="required")
