"""The case list and the case status form as a coordinator meets them (issue 14, item 11 and item 13's search):
the list opens on open cases and finds a name or a number; the reason box of 終結・中断・再開 appears only when
that step is chosen, and the form works without JavaScript."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from cases.models import Case, CaseStatus
from tests.factories import HouseholdFactory, HouseholdMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kita_client(client, coordinator_kita):
    client.force_login(coordinator_kita)
    return client


@pytest.fixture
def closed_case(coordinator_kita, kita):
    household = HouseholdFactory(ward=kita)
    HouseholdMemberFactory(household=household, name="南 花子", name_kana="みなみ はなこ")
    case = services.case_open(user=coordinator_kita, household=household, received_on=dt.date(2020, 4, 1),
                              intake_channel="phone")
    return services.case_transition(user=coordinator_kita, case=case, action="close", reason="転居")


def numbers(response):
    return [case.number for case in response.context["page"].object_list]


class TestOpensOnOpenCases:
    def test_the_list_opens_on_open_cases_and_says_so(self, kita_client, case_kita, closed_case):
        response = kita_client.get(reverse("cases:case_list"))
        assert numbers(response) == [case_kita.number]
        assert re.search(r'<option value="open" selected>対応中（終結・中断を除く）</option>', response.content.decode())

    def test_all_and_each_status_can_be_asked_for(self, kita_client, case_kita, closed_case):
        url = reverse("cases:case_list")
        assert sorted(numbers(kita_client.get(url, {"status": "all"}))) == sorted([case_kita.number, closed_case.number])
        assert numbers(kita_client.get(url, {"status": "closed"})) == [closed_case.number]

    def test_an_empty_search_of_open_cases_points_to_all(self, kita_client, closed_case):
        page = kita_client.get(reverse("cases:case_list")).content.decode()
        assert "状況で「すべて」を選んでください" in page


class TestSearchByNameAndNumber:
    @pytest.mark.parametrize("query", ["北村 一郎", "きたむら", "キタムラ", "ｷﾀﾑﾗ ｲﾁﾛｳ", "北村花子"])
    def test_a_name_or_kana_of_anyone_in_the_household_finds_the_case(self, kita_client, case_kita, closed_case, query):
        response = kita_client.post(reverse("cases:case_list"), {"q": query, "status": "all"}, follow=True)
        assert numbers(response) == [case_kita.number]

    def test_the_case_number_and_the_ledgers_number_find_the_case(self, kita_client, case_kita, closed_case):
        Case.all_objects.filter(pk=closed_case.pk).update(external_number="KITA-2021-001")
        url = reverse("cases:case_list")
        assert numbers(kita_client.post(url, {"q": case_kita.number.lower()}, follow=True)) == [case_kita.number]
        found = kita_client.post(url, {"q": "kita-2021-001", "status": "all"}, follow=True)
        assert numbers(found) == [closed_case.number]

    def test_the_filters_stay_in_the_url_and_the_search_does_not(self, kita_client, case_kita):
        response = kita_client.post(reverse("cases:case_list"), {"q": "きたむら", "status": "all", "is_difficult": ""})
        assert response.status_code == 302
        assert re.fullmatch(r"/cases/\?status=all&s=[\w-]+", response.url)
        page = kita_client.get(response.url)
        assert page.context["search_form"].initial == {"q": "きたむら"}
        assert 'value="きたむら"' in page.content.decode()  # shown in the box, not in any link

    def test_a_search_never_reaches_another_ward(self, client, coordinator_nishinari, case_kita):
        client.force_login(coordinator_nishinari)
        assert numbers(client.post(reverse("cases:case_list"), {"q": "きたむら", "status": "all"}, follow=True)) == []

    def test_a_search_costs_the_same_queries_for_two_cases_found_or_twelve(self, kita_client, coordinator_kita, kita,
                                                                           django_assert_num_queries):
        def open_cases(n):
            for i in range(n):
                household = HouseholdFactory(ward=kita)
                HouseholdMemberFactory(household=household, name=f"北村 {i}郎", name_kana=f"きたむら {i}ろう")
                services.case_open(user=coordinator_kita, household=household, received_on=dt.date(2020, 4, 1 + i),
                                   intake_channel="visit")

        open_cases(2)
        url = kita_client.post(reverse("cases:case_list"), {"q": "ｷﾀﾑﾗ"}).url
        with CaptureQueriesContext(connection) as two:
            kita_client.get(url)
        open_cases(10)
        with django_assert_num_queries(len(two.captured_queries)):
            response = kita_client.get(url)
        assert len(response.context["page"].object_list) == 12


class TestStatusForm:
    def test_one_form_offers_each_next_step_and_one_reason_box_shown_without_javascript(self, kita_client,
                                                                                         coordinator_kita, household_kita):
        case = services.case_open(user=coordinator_kita, household=household_kita, received_on=dt.date(2020, 4, 1),
                                  intake_channel="phone")
        page = kita_client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
        form = re.search(r'<form method="post" action="[^"]*/transition/"[^>]*data-case-status.*?</form>', page, re.S).group(0)
        actions = re.findall(r'name="action" value="(\w+)"', form)
        assert actions == ["assess", "close", "suspend"]
        assert 'data-reason-label="終結の理由"' in form and 'data-reason-label="中断の理由"' in form
        assert 'value="assess" required>' in form  # no reason asked for the ordinary steps
        # Without JavaScript the one reason box is simply there; the script (served from static/) hides it.
        assert form.count("<textarea") == 1 and '<div class="reason" data-reason-box>' in form
        assert f'src="{settings.STATIC_URL}js/case-status.js"' in page

    def test_the_script_is_local_and_only_follows_the_chosen_step(self):
        script = open(finders.find("js/case-status.js"), encoding="utf-8").read()
        assert "http" not in script and "data-reason-label" in script and "hidden" in script

    def test_closing_without_a_reason_is_refused_and_keeps_the_choice(self, kita_client, case_kita):
        response = kita_client.post(reverse("cases:case_transition", args=[case_kita.pk]), {"action": "close", "reason": " "})
        assert response.status_code == 400
        page = response.content.decode()
        assert "「終結する」には理由の入力が必要です。" in page and 'value="close" required data-reason-label="終結の理由" checked' in page
        case_kita.refresh_from_db()
        assert case_kita.status != CaseStatus.CLOSED

    def test_closing_with_a_reason_records_it(self, kita_client, case_kita):
        response = kita_client.post(reverse("cases:case_transition", args=[case_kita.pk]),
                                    {"action": "close", "reason": "転居して支援が終わった"})
        assert response.status_code == 302
        case_kita.refresh_from_db()
        assert (case_kita.status, case_kita.closing_reason) == (CaseStatus.CLOSED, "転居して支援が終わった")
