"""The one agency picker (agencies/forms.py): grouped by 分野, the ward's own first, searchable, served from /static/."""

import re
from pathlib import Path

import pytest
from django import forms

from agencies.forms import AgencyChoiceField, AgencyMultipleChoiceField, ReferrerField, agency_queryset
from agencies.models import AgencyCategory
from tests.factories import AgencyFactory

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "static" / "vendor" / "tom-select"

pytestmark = pytest.mark.django_db


def _category(name):
    return AgencyCategory.objects.get(municipality=None, name=name)


@pytest.fixture
def agencies(osaka, kita, nishinari):
    return {
        "nishinari_houkatsu": AgencyFactory(ward=nishinari),
        "kita_konkyu": AgencyFactory(ward=kita, category=_category("生活困窮担当")),
        "hello_work": AgencyFactory(ward=None, municipality=osaka, name="大阪市ハローワーク", category=_category("ハローワーク")),
        "kita_houkatsu": AgencyFactory(ward=kita),
        "kita_syougai": AgencyFactory(ward=kita, category=_category("障がい者基幹相談支援センター")),
    }


class PickerForm(forms.Form):
    agencies = AgencyMultipleChoiceField(label="機関", required=False)
    agency = AgencyChoiceField(label="担当機関")


def _form(osaka, ward, data=None):
    form = PickerForm(data)
    for name in ("agencies", "agency"):
        form.fields[name].offer(agency_queryset(osaka.pk), ward=ward)
    return form


def _groups(html):
    """(group label, [option texts]) in the order the select shows them."""
    return [(label, re.findall(r"<option [^>]*>([^<]+)</option>", body))
            for label, body in re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', html, re.S)]


class TestGroups:
    def test_the_wards_own_agencies_come_first_grouped_by_field_then_city_wide_then_other_wards(self, osaka, kita, agencies):
        html = str(_form(osaka, kita)["agencies"])
        assert _groups(html) == [
            ("北区・高齢", ["北区地域包括支援センター"]),
            ("北区・障がい", ["北区障がい者基幹相談支援センター"]),
            ("北区・生活困窮", ["北区生活困窮担当"]),
            ("市全域・就労", ["大阪市ハローワーク"]),
            ("ほかの区・高齢", ["西成区地域包括支援センター"]),
        ]

    def test_another_ward_sees_its_own_first(self, osaka, nishinari, agencies):
        html = str(_form(osaka, nishinari)["agency"])
        assert [label for label, _options in _groups(html)][:2] == ["西成区・高齢", "市全域・就労"]

    def test_without_a_ward_the_groups_are_the_fields(self, osaka, agencies):
        groups = _groups(str(_form(osaka, None)["agencies"]))
        assert [label for label, _options in groups] == ["高齢", "障がい", "生活困窮", "就労"]
        assert groups[0][1] == ["北区地域包括支援センター", "西成区地域包括支援センター"]

    def test_a_single_choice_starts_blank_and_a_choice_is_validated_against_the_offered_agencies(self, osaka, kita, agencies):
        html = str(_form(osaka, kita)["agency"])
        assert re.search(r'<select name="agency"[^>]*>\s*<option value="" selected>---------</option>\s*<optgroup', html)
        chosen = _form(osaka, kita, {"agency": agencies["hello_work"].pk, "agencies": [agencies["kita_konkyu"].pk]})
        assert chosen.is_valid(), chosen.errors
        assert (chosen.cleaned_data["agency"], list(chosen.cleaned_data["agencies"])) == (
            agencies["hello_work"], [agencies["kita_konkyu"]])
        unknown = _form(osaka, kita, {"agency": 999999})
        assert not unknown.is_valid() and "agency" in unknown.errors

    def test_the_options_are_read_when_the_form_is_shown_never_when_it_is_only_built(
            self, osaka, kita, agencies, django_assert_num_queries):
        with django_assert_num_queries(0):
            form = _form(osaka, kita)
        with django_assert_num_queries(1):
            str(form["agencies"])


class TestSearch:
    def test_each_option_carries_its_category_field_ward_and_readings_for_the_search(self, osaka, kita, agencies):
        html = str(_form(osaka, kita)["agencies"])
        keywords = dict(re.findall(r'data-keywords="([^"]*)"[^>]*>([^<]+)</option>', html))
        by_name = {name: words for words, name in keywords.items()}
        hello_work = by_name["大阪市ハローワーク"]
        for word in ("ハローワーク", "就労", "市全域", "大阪市はろーわーく"):
            assert word in hello_work.split(" "), word
        # 障害 and 障がい find the same centre; the ward's name finds its agencies.
        assert "北区障害者基幹相談支援センター" in by_name["北区障がい者基幹相談支援センター"]
        assert "北区" in by_name["北区生活困窮担当"].split(" ")

    def test_without_javascript_it_is_a_plain_grouped_select_the_script_enhances(self, osaka, kita, agencies):
        html = str(_form(osaka, kita)["agencies"])
        select = re.search(r"<select [^>]*>", html).group(0)
        assert "multiple" in select and 'size="8"' in select and "data-agency-picker" in select
        assert 'data-placeholder="機関名・種別・分野で探す"' in select and 'data-no-results="該当する機関がありません"' in select


class TestAssets:
    def test_tom_select_is_vendored_with_its_license_and_its_version_is_recorded(self):
        script = (VENDOR / "tom-select.complete.min.js").read_text(encoding="utf-8")
        version = re.search(r"Tom Select v(\d+\.\d+\.\d+)", script).group(1)
        assert "Apache License" in (VENDOR / "LICENSE").read_text(encoding="utf-8")
        assert f"Tom Select {version}" in (ROOT / "README.md").read_text(encoding="utf-8")
        # Every file a vendored file names (its source maps) is there too: collectstatic's manifest needs them.
        for path in VENDOR.iterdir():
            for name in re.findall(r"sourceMappingURL=(\S+?)\s*(?:\*/)?$", path.read_text(encoding="utf-8", errors="ignore"), re.M):
                assert (VENDOR / name).exists(), name

    def test_the_picker_asks_only_for_files_this_server_has(self):
        media = PickerForm().media
        paths = [*media._css["all"], *(script._path for script in media._js)]
        assert all((ROOT / "static" / path).is_file() for path in paths)
        rendered = str(media)
        assert re.findall(r'(?:src|href)="([^"]+)"', rendered) == [f"/static/{path}" for path in paths]
        assert rendered.count(" defer></script>") == 2  # the page is shown before the picker takes over


class TestReferrer:
    def _field(self, osaka, kita):
        field = ReferrerField(label="相談のあった機関")
        field.municipality_id, field.ward = osaka.pk, kita
        return field

    def test_an_agency_brings_its_category(self, osaka, kita, agencies):
        field = self._field(osaka, kita)
        assert field.clean(f"agency:{agencies['kita_konkyu'].pk}") == (agencies["kita_konkyu"], _category("生活困窮担当"))

    def test_a_category_alone_is_kept_for_when_no_agency_is_named(self, osaka, kita, agencies):
        volunteer = _category("民生委員・児童委員")
        assert self._field(osaka, kita).clean(f"category:{volunteer.pk}") == (None, volunteer)
        assert self._field(osaka, kita).clean("") == (None, None)

    @pytest.mark.parametrize("value", ["agency:999999", "category:999999", "ward:1", "agency:x"])
    def test_anything_else_is_refused_in_japanese(self, osaka, kita, agencies, value):
        with pytest.raises(forms.ValidationError, match="相談のあった機関を一覧から選んでください"):
            self._field(osaka, kita).clean(value)

    def test_another_citys_agency_is_refused(self, osaka, kita, agencies, komae_area):
        komae_agency = AgencyFactory(ward=komae_area)
        with pytest.raises(forms.ValidationError):
            self._field(osaka, kita).clean(f"agency:{komae_agency.pk}")

    def test_one_select_offers_the_agencies_by_field_then_the_categories_alone(self, osaka, kita, agencies):
        class Form(forms.Form):
            referrer = ReferrerField(label="相談のあった機関")

        form = Form(initial={"referrer": f"agency:{agencies['kita_houkatsu'].pk}"})
        form.fields["referrer"].municipality_id, form.fields["referrer"].ward = osaka.pk, kita
        html = str(form["referrer"])
        groups = _groups(html)
        assert groups[0] == ("北区・高齢", ["北区地域包括支援センター"])
        assert groups[-1][0] == "種別だけを記録する" and "民生委員・児童委員（機関名なし）" in groups[-1][1]
        chosen = re.search(rf'<option value="agency:{agencies["kita_houkatsu"].pk}"[^>]*>', html).group(0)
        assert "data-keywords=" in chosen and " selected" in chosen
        assert re.search(r'<option value="">本人・家族（機関からではない）</option>', html)


class TestPages:
    """Every page that asks for an agency shows the picker and loads it, and everything it loads, from /static/."""

    @pytest.fixture
    def urls(self, case_kita, household_kita, coordinator_kita, kita, kita_houkatsu):
        from django.urls import reverse
        from django.utils import timezone

        from meetings import services
        from meetings.models import MeetingBasis, MeetingKind

        meeting = services.meeting_schedule(
            user=coordinator_kita, ward=kita, kind=MeetingKind.objects.get(name="つながる場"),
            basis=MeetingBasis.objects.get(name="地域ケア会議"), starts_at=timezone.now(), cases=[case_kita],
            agencies=[kita_houkatsu])
        return [
            reverse("cases:case_create", args=[household_kita.pk]),
            reverse("cases:case_edit", args=[case_kita.pk]),
            reverse("cases:case_detail", args=[case_kita.pk]),
            reverse("cases:consent_create", args=[case_kita.pk]),
            reverse("cases:plan_create", args=[case_kita.pk]),
            reverse("meetings:meeting_create"),
            reverse("meetings:meeting_edit", args=[meeting.pk]),
            reverse("meetings:meeting_record", args=[meeting.pk]),
            reverse("meetings:activity_list"),
            reverse("meetings:activity_create"),
            reverse("referrals:referral_create") + f"?case={case_kita.pk}",
        ]

    def test_each_page_loads_the_picker_from_static_only(self, client, coordinator_kita, urls):
        client.force_login(coordinator_kita)
        for url in urls:
            response = client.get(url)
            page = response.content.decode()
            assert response.status_code == 200 and "data-agency-picker" in page, url
            assets = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', page)
            assert "/static/vendor/tom-select/tom-select.complete.min.js" in assets, url
            assert "/static/js/agency-picker.js" in assets and "/static/css/agency-picker.css" in assets, url
            for asset in assets:
                assert asset.startswith("/static/") and (ROOT / "static" / asset.removeprefix("/static/")).is_file(), (url, asset)


class TestManyAgencies:
    """A city has hundreds of agencies: every page that offers them costs the same templates and queries for 40 more
    (each option is written by core.forms.QuickSelect, not through a template of its own)."""

    urls = TestPages.urls

    @staticmethod
    def _cost(client, url):
        from django.db import connection
        from django.test.signals import template_rendered
        from django.test.utils import CaptureQueriesContext

        templates = []

        def rendered(sender, template, context, **kwargs):
            templates.append(template.name)

        template_rendered.connect(rendered)
        try:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
        finally:
            template_rendered.disconnect(rendered)
        assert response.status_code == 200, url
        return len(templates), len(queries.captured_queries), response.content.decode().count("<option ")

    def test_forty_more_agencies_cost_no_more_templates_or_queries(self, client, coordinator_kita, kita, urls):
        client.force_login(coordinator_kita)
        client.get(urls[0])  # the session and the caches settle
        before = {url: self._cost(client, url) for url in urls}
        categories = list(AgencyCategory.objects.filter(municipality=None)[:8])
        for i in range(40):
            AgencyFactory(ward=kita, name=f"北区の機関 {i}", category=categories[i % len(categories)])
        for url in urls:
            templates, queries, options = self._cost(client, url)
            assert (templates, queries) == before[url][:2], url
            assert options >= before[url][2] + 40, url
