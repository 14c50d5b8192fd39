"""Case forms: 相談のあった機関 asked once, and every agency chosen through the one picker, the case's ward first."""

import re

import pytest

from agencies.forms import AgencySelect, AgencySelectMultiple
from agencies.models import AgencyCategory
from cases.forms import CaseEditForm, CaseOpenForm, ConsentForm, ConsultationForm, TaskForm
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def _category(name):
    return AgencyCategory.objects.get(municipality=None, name=name)


def _open_form(household, **data):
    return CaseOpenForm({"received_on": "2021-04-01", "intake_channel": "agency", **data},
                        municipality_id=household.municipality_id, ward=household.ward_id)


class TestReferringAgency:
    def test_it_is_asked_once_and_the_category_follows_from_the_agency(self, household_kita, kita_houkatsu):
        form = _open_form(household_kita, referrer=f"agency:{kita_houkatsu.pk}")
        assert [name for name in form.fields if name.startswith("referr")] == ["referrer"]
        assert form.is_valid(), form.errors
        assert (form.cleaned_data["referring_agency"], form.cleaned_data["referring_category"]) == (
            kita_houkatsu, _category("地域包括支援センター"))
        assert "referrer" not in form.cleaned_data  # the services take referring_agency / referring_category

    def test_a_category_alone_is_kept_when_no_agency_is_named(self, household_kita):
        volunteer = _category("民生委員・児童委員")
        form = _open_form(household_kita, referrer=f"category:{volunteer.pk}")
        assert form.is_valid(), form.errors
        assert (form.cleaned_data["referring_agency"], form.cleaned_data["referring_category"]) == (None, volunteer)

    def test_an_agency_channel_needs_it_and_a_walk_in_does_not(self, household_kita):
        refused = _open_form(household_kita)
        assert refused.errors["referrer"] == ["相談経路が「関係機関から」のときは、相談のあった機関を選んでください。"]
        walk_in = _open_form(household_kita, intake_channel="visit")
        assert walk_in.is_valid(), walk_in.errors
        assert (walk_in.cleaned_data["referring_agency"], walk_in.cleaned_data["referring_category"]) == (None, None)

    def test_the_edit_form_starts_from_what_the_case_has(self, case_kita, kita_houkatsu):
        case_kita.referring_agency, case_kita.referring_category = kita_houkatsu, kita_houkatsu.category
        form = CaseEditForm(instance=case_kita, municipality_id=case_kita.municipality_id)
        assert form["referrer"].value() == f"agency:{kita_houkatsu.pk}"
        case_kita.referring_agency, case_kita.referring_category = None, _category("医療機関")
        form = CaseEditForm(instance=case_kita, municipality_id=case_kita.municipality_id)
        assert form["referrer"].value() == f"category:{_category('医療機関').pk}"
        assert re.search(rf'<option value="category:{_category("医療機関").pk}"[^>]* selected[ >]', str(form["referrer"]))

    def test_the_households_ward_comes_first(self, household_kita, kita_houkatsu, household_nishinari):
        AgencyFactory(ward=household_nishinari.ward, category=_category("高齢福祉担当"))
        html = str(_open_form(household_kita)["referrer"])
        assert re.findall(r'<optgroup label="([^"]+)"', html) == ["北区・高齢", "ほかの区・高齢", "種別だけを記録する"]


class TestPickers:
    def test_every_case_form_that_picks_an_agency_uses_the_picker_with_the_case_ward_first(
            self, case_kita, kita_houkatsu, household_nishinari):
        AgencyFactory(ward=household_nishinari.ward)
        forms = {
            "consultation": (ConsultationForm(municipality_id=case_kita.municipality_id, ward=case_kita.ward_id), "agencies"),
            "consent": (ConsentForm(case=case_kita), "agencies"),
            "task": (TaskForm(municipality_id=case_kita.municipality_id, ward=case_kita.ward_id), "agency"),
            "case": (CaseOpenForm(municipality_id=case_kita.municipality_id, ward=case_kita.ward_id), "referrer"),
        }
        for name, (form, field) in forms.items():
            widget = form.fields[field].widget
            assert isinstance(widget, AgencySelect), name
            assert isinstance(widget, AgencySelectMultiple) == (field == "agencies"), name
            labels = re.findall(r'<optgroup label="([^"]+)"', str(form[field]))
            assert labels[:2] == ["北区・高齢", "ほかの区・高齢"], name

    def test_consent_agencies_can_start_chosen(self, case_kita, kita_houkatsu):
        form = ConsentForm(case=case_kita, initial={"agencies": [str(kita_houkatsu.pk)]})
        assert re.search(rf'<option value="{kita_houkatsu.pk}"[^>]* selected[ >]', str(form["agencies"]))
