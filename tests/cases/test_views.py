import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from cases.models import Case, Household, HouseholdMember, IssueCategory
from core import wareki
from tests.factories import HouseholdFactory, HouseholdMemberFactory


@pytest.fixture
def kita_client(client, coordinator_kita):
    client.force_login(coordinator_kita)
    return client


def search(client, query):
    """The household search as the page sends it: posted, then shown at ?s=<key>."""
    return client.post(reverse("cases:household_list"), {"q": query}, follow=True)


class TestSearch:
    @pytest.mark.parametrize("query", ["きたむら", "キタムラ イチロウ", "ｷﾀﾑﾗｲﾁﾛｳ", "北村", "06-0000", "テスト町1-2-3"])
    def test_one_box_finds_a_household_by_name_kana_phone_or_address(self, kita_client, household_kita, query):
        response = search(kita_client, query)
        assert [h.pk for h in response.context["page"].object_list] == [household_kita.pk]

    def test_a_case_number_finds_its_household(self, kita_client, case_kita, household_kita):
        response = search(kita_client, case_kita.number.lower())
        assert [h.pk for h in response.context["page"].object_list] == [household_kita.pk]

    def test_search_never_reaches_another_ward(self, kita_client, household_kita, household_nishinari):
        response = search(kita_client, "にしかわ")
        assert list(response.context["page"].object_list) == []


class TestCreateHousehold:
    url = reverse("cases:household_create")
    data = {"name": "北村 一郎", "name_kana": "キタムラ イチロウ", "birth_date": "1960-04-01", "sex": "male",
            "address": "", "phone": "", "note": ""}

    def test_a_likely_duplicate_is_shown_before_anything_is_created(self, kita_client, household_kita):
        response = kita_client.post(self.url, self.data)
        assert response.status_code == 200
        page = response.content.decode()
        assert "同じ世帯が既に登録されているかもしれません" in page
        assert f"/households/{household_kita.pk}/" in page
        assert "それでも新規登録する" in page
        assert Household.all_objects.count() == 1

    def test_confirming_creates_the_household_all_the_same(self, kita_client, household_kita):
        response = kita_client.post(self.url, {**self.data, "confirm_new": "1"})
        assert response.status_code == 302
        assert Household.all_objects.count() == 2

    def test_a_match_in_another_ward_is_reported_without_details(self, client, coordinator_nishinari, household_kita):
        client.force_login(coordinator_nishinari)
        page = client.post(self.url, self.data).content.decode()
        assert "北区にも一致する世帯が 1 件あります" in page
        assert "北村" not in page.replace(self.data["name"], "") and f"/households/{household_kita.pk}/" not in page

    def test_an_address_match_counts_as_a_likely_duplicate(self, kita_client, household_kita):
        response = kita_client.post(self.url, {**self.data, "name": "別人", "name_kana": "べつじん", "birth_date": "",
                                               "address": "大阪市北区テスト町１－２－３"})
        assert "同じ世帯が既に登録されているかもしれません" in response.content.decode()

    def test_a_household_without_a_match_is_created_at_once_in_the_coordinators_ward(self, kita_client, kita):
        response = kita_client.post(self.url, {**self.data, "name_kana": "みなみ はなこ", "name": "南 花子"})
        household = Household.all_objects.get()
        assert response.url == reverse("cases:household_detail", args=[household.pk])
        assert household.ward == kita and household.members.get().name == "南 花子"

    @pytest.mark.parametrize(("field", "value", "message"), [
        ("name_kana", "北村", "ひらがなかカタカナで"),
        ("birth_date", "2999-01-01", "未来の日付"),
        ("birth_date", "2020-02-30", "存在しない日付です。2月は29日までです。"),
        ("birth_date", "令和元年4月1日", "その元号の期間に含まれない日付です。"),
        ("name", "", "この項目は必須です"),
    ])
    def test_bad_input_is_answered_in_japanese_and_nothing_is_saved(self, kita_client, db, field, value, message):
        response = kita_client.post(self.url, {**self.data, field: value, "name_kana": self.data["name_kana"] if field != "name_kana" else value})
        assert response.status_code == 200
        assert message in response.content.decode()
        assert Household.all_objects.count() == 0 and HouseholdMember.objects.count() == 0


class TestEditing:
    def test_a_stale_edit_is_refused_and_shows_what_changed(self, kita_client, coordinator_kita, household_kita):
        url = reverse("cases:household_edit", args=[household_kita.pk])
        services.household_update(user=coordinator_kita, household=household_kita, expected_version=1, phone="06-9999-9999")
        response = kita_client.post(url, {"address": "新住所", "phone": "06-0000-0000", "note": "", "version": 1})
        page = response.content.decode()
        assert "保存しませんでした" in page and "06-9999-9999" in page
        household_kita.refresh_from_db()
        assert household_kita.address != "新住所"


class TestCasePages:
    def test_a_phone_call_is_logged_from_the_case_page(self, kita_client, case_kita):
        response = kita_client.post(reverse("cases:consultation_create", args=[case_kita.pk]), {
            "held_at": "2020-06-01T10:30", "method": "phone", "summary": "本人から電話。食料が尽きた。", "minutes": "10",
            "next_action": "フードバンクにつなぐ", "next_due_on": "2020-06-03"})
        assert response.status_code == 302
        page = kita_client.get(reverse("cases:case_detail", args=[case_kita.pk])).content.decode()
        assert "食料が尽きた" in page and "フードバンクにつなぐ" in page

    @pytest.mark.parametrize(("style", "shown"), [("wareki", r"令和\d+年\d+月\d+日 \d\d:\d\d"),
                                                  ("seireki", r"\d{4}年\d+月\d+日 \d\d:\d\d")])
    def test_the_phone_call_form_opens_on_now_in_the_readers_style_and_sent_as_shown_keeps_it(
            self, kita_client, coordinator_kita, case_kita, style, shown):
        coordinator_kita.date_style = style
        coordinator_kita.save(update_fields=["date_style"])
        url = reverse("cases:consultation_create", args=[case_kita.pk])
        page = kita_client.get(reverse("cases:case_detail", args=[case_kita.pk])).content.decode()  # the form is there
        held_at = re.search(r'name="held_at" value="([^"]*)"', page).group(1)
        assert re.fullmatch(shown, held_at)
        response = kita_client.post(url, {"held_at": held_at, "method": "phone", "summary": "電話", "minutes": "5",
                                          "next_action": "", "next_due_on": ""})
        assert response.status_code == 302
        recorded = case_kita.consultations.get(summary="電話").held_at
        assert wareki.format_datetime(recorded, style) == held_at

    def test_an_illegal_move_from_the_page_shows_the_reason(self, kita_client, case_kita):
        response = kita_client.post(reverse("cases:case_transition", args=[case_kita.pk]), {"action": "support"})
        assert response.status_code == 400  # case_kita has its plan: it is 支援中 already
        assert "「支援中」の事例は「支援を開始する」ことができません" in response.content.decode()

    def test_the_case_page_costs_the_same_queries_as_its_history_grows(self, kita_client, coordinator_kita, case_kita, kita_houkatsu):
        url = reverse("cases:case_detail", args=[case_kita.pk])
        # One of each kind first: Django skips a prefetch when there is nothing to prefetch for.
        services.consultation_record(user=coordinator_kita, case=case_kita, method="visit", summary="初回", agencies=[kita_houkatsu])
        with CaptureQueriesContext(connection) as small:
            kita_client.get(url)
        for i in range(5):
            services.consultation_record(user=coordinator_kita, case=case_kita, method="visit", summary=f"訪問{i}", agencies=[kita_houkatsu])
            services.case_issue_add(user=coordinator_kita, case=case_kita, category=IssueCategory.objects.get(name="孤立"))
        services.plan_create(user=coordinator_kita, case=case_kita, kind="revision", goals="見直し", decided_on=dt.date(2020, 9, 1),
                             tasks=[{"agency": kita_houkatsu, "task": f"役割{i}"} for i in range(4)])
        with CaptureQueriesContext(connection) as big:
            response = kita_client.get(url)
        assert "訪問4" in response.content.decode()
        small_sql = [q["sql"].split(" WHERE")[0] for q in small.captured_queries]
        big_sql = [q["sql"].split(" WHERE")[0] for q in big.captured_queries]
        assert len(big_sql) == len(small_sql), [q for q in big_sql if q not in small_sql] + ["---"] + [q for q in small_sql if q not in big_sql]


class TestCaseList:
    def _cases(self, coordinator, ward, n):
        for i in range(n):
            household = HouseholdFactory(ward=ward)
            HouseholdMemberFactory(household=household)
            services.case_open(user=coordinator, household=household, received_on=dt.date(2020, 4, 1 + i), intake_channel="visit")

    def test_the_list_costs_the_same_queries_for_two_cases_or_twelve(self, kita_client, coordinator_kita, kita, django_assert_num_queries):
        self._cases(coordinator_kita, kita, 2)
        url = reverse("cases:case_list")
        with CaptureQueriesContext(connection) as small:
            kita_client.get(url)
        self._cases(coordinator_kita, kita, 10)
        with django_assert_num_queries(len(small.captured_queries)):
            response = kita_client.get(url)
        assert len(response.context["page"].object_list) == 12

    def test_filters_narrow_by_status_issue_overdue_and_dates(self, kita_client, coordinator_kita, case_kita, kita):
        self._cases(coordinator_kita, kita, 3)
        url = reverse("cases:case_list")

        def numbers(**params):
            return [c.number for c in kita_client.get(url, params).context["page"].object_list]

        isolation = IssueCategory.objects.get(name="経済的困窮")
        assert numbers(issue=isolation.pk) == [case_kita.number]
        assert numbers(overdue="on") == [case_kita.number]  # its task was due on 2020-07-01
        assert len(numbers(received_from="2020-04-02", received_to="2020-04-03")) == 2
        services.case_transition(user=coordinator_kita, case=case_kita, action="close", reason="終了")
        assert case_kita.number not in numbers()  # the list opens on open cases
        assert numbers(status="closed") == [case_kita.number]
        assert numbers(status="all", sort="number")[0] == "R2-0001"

    def test_a_coordinator_lists_only_their_wards_cases(self, client, coordinator_nishinari, case_kita):
        client.force_login(coordinator_nishinari)
        assert list(client.get(reverse("cases:case_list")).context["page"].object_list) == []


class TestTasks:
    def test_the_agency_worker_sees_their_task_on_the_dashboard_and_marks_it_done(self, client, agency_worker, case_kita):
        client.force_login(agency_worker)
        page = client.get(reverse("home:dashboard")).content.decode()
        assert "見守り訪問" in page and "期限切れ" in page
        task = case_kita.tasks.get()
        response = client.post(reverse("cases:task_status", args=[task.pk]), {"status": "done", "next": "https://evil.example/"})
        assert response.url == reverse("home:dashboard")  # an outside `next` is ignored
        task.refresh_from_db()
        assert task.status == "done"

    def test_the_coordinator_sees_overdue_tasks_on_the_dashboard(self, kita_client, case_kita):
        response = kita_client.get(reverse("home:dashboard"))
        assert [t.task for t in response.context["overdue"]] == ["見守り訪問"]

    def test_an_agency_worker_opens_its_task_not_the_case(self, client, agency_worker, case_kita):
        client.force_login(agency_worker)
        task = case_kita.tasks.get()
        dashboard = client.get(reverse("home:dashboard")).content.decode()
        assert reverse("cases:task_detail", args=[task.pk]) in dashboard
        assert reverse("cases:case_detail", args=[case_kita.pk]) not in dashboard
        page = client.get(reverse("cases:task_detail", args=[task.pk])).content.decode()
        primary = case_kita.household.members.get(is_primary=True)
        spouse = case_kita.household.members.get(is_primary=False)
        assert primary.name in page and "経済的困窮" in page and spouse.name not in page
        assert client.get(reverse("cases:case_detail", args=[case_kita.pk])).status_code == 403

    def test_an_agency_worker_cannot_open_another_agency_s_task(self, client, kita, case_kita):
        from accounts.models import Role
        from tests.factories import AgencyFactory, UserFactory

        other = UserFactory(username="shakyo", role=Role.AGENCY_WORKER, agency=AgencyFactory(ward=kita, name="北区社会福祉協議会"))
        client.force_login(other)
        assert client.get(reverse("cases:task_detail", args=[case_kita.tasks.get().pk])).status_code == 404

    def test_the_plan_form_says_which_agency_needs_consent_and_links_to_recording_it(self, kita_client, case_kita, kita):
        from tests.factories import AgencyFactory

        council = AgencyFactory(ward=kita, name="北区社会福祉協議会")
        response = kita_client.post(reverse("cases:plan_create", args=[case_kita.pk]), {
            "kind": "revision", "goals": "見直し", "decided_on": "2020-09-01",
            "tasks-TOTAL_FORMS": "1", "tasks-INITIAL_FORMS": "0", "tasks-MIN_NUM_FORMS": "0", "tasks-MAX_NUM_FORMS": "1000",
            "tasks-0-agency": council.pk, "tasks-0-task": "サロンへの参加支援"})
        page = response.content.decode()
        assert response.status_code == 400 and case_kita.plans.count() == 1
        assert "北区社会福祉協議会には、まだ役割分担を依頼できません" in page
        link = reverse("cases:consent_create", args=[case_kita.pk]) + f"?purpose=provision&amp;agency={council.pk}"
        assert link in page


class TestMembersAndCaseEdits:
    def test_a_member_is_added_with_an_estimated_age(self, kita_client, household_kita):
        response = kita_client.post(reverse("cases:member_create", args=[household_kita.pk]), {
            "name": "北村 三郎", "name_kana": "きたむら さぶろう", "relationship": "child", "relationship_note": "長男",
            "estimated_age": "45", "sex": "male"})
        assert response.status_code == 302
        member = household_kita.members.get(name="北村 三郎")
        assert (member.age, member.age_is_estimated, member.is_primary) == (45, True, False)

    def test_a_birth_date_and_an_estimated_age_together_are_refused(self, kita_client, household_kita):
        response = kita_client.post(reverse("cases:member_create", args=[household_kita.pk]), {
            "name": "北村 三郎", "name_kana": "きたむら さぶろう", "relationship": "child", "birth_date": "1980-01-01",
            "estimated_age": "45", "sex": "male"})
        assert "推定年齢は空欄に" in response.content.decode()
        assert not household_kita.members.filter(name="北村 三郎").exists()

    def test_a_member_edit_marks_a_move_out(self, kita_client, household_kita):
        member = household_kita.members.get(is_primary=False)
        data = {"name": member.name, "name_kana": member.name_kana, "relationship": "spouse", "birth_date": "1960-04-01",
                "sex": "female", "moved_out_on": "2021-03-31", "version": member.version}
        assert kita_client.post(reverse("cases:member_edit", args=[member.pk]), data).status_code == 302
        member.refresh_from_db()
        assert member.moved_out_on == dt.date(2021, 3, 31) and not member.in_household

    def test_a_case_edit_changes_the_lead_and_a_stale_one_is_refused(self, kita_client, case_kita, coordinator_kita, kita):
        from tests.factories import UserFactory

        colleague = UserFactory(username="kita2", role="coordinator", ward=kita, last_name="同僚")
        url = reverse("cases:case_edit", args=[case_kita.pk])
        data = {"intake_channel": "phone", "lead": colleague.pk, "summary": "担当交代", "version": case_kita.version}
        assert kita_client.post(url, data).status_code == 302
        case_kita.refresh_from_db()
        assert case_kita.lead == colleague
        refused = kita_client.post(url, {**data, "summary": "古い画面から"})
        assert "保存しませんでした" in refused.content.decode()
        case_kita.refresh_from_db()
        assert case_kita.summary == "担当交代"

    def test_the_referring_agency_is_chosen_once_and_its_category_is_recorded_with_it(self, kita_client, household_kita,
                                                                                      kita_houkatsu):
        response = kita_client.post(reverse("cases:case_create", args=[household_kita.pk]), {
            "received_on": "2021-04-01", "intake_channel": "agency", "referrer": f"agency:{kita_houkatsu.pk}"})
        assert response.status_code == 302
        case = Case.all_objects.get()
        assert (case.referring_agency, case.referring_category) == (kita_houkatsu, kita_houkatsu.category)
        edit = kita_client.get(reverse("cases:case_edit", args=[case.pk])).content.decode()
        assert edit.count('name="referrer"') == 1 and "referring_category" not in edit

    def test_a_case_may_name_only_the_category_of_who_referred_it(self, kita_client, household_kita):
        from agencies.models import AgencyCategory

        volunteer = AgencyCategory.objects.get(municipality=None, name="民生委員・児童委員")
        response = kita_client.post(reverse("cases:case_create", args=[household_kita.pk]), {
            "received_on": "2021-04-01", "intake_channel": "agency", "referrer": f"category:{volunteer.pk}"})
        assert response.status_code == 302
        assert Case.all_objects.values_list("referring_agency", "referring_category").get() == (None, volunteer.pk)


def test_the_list_counts_overdue_tasks_the_same_way_as_the_overdue_filter(kita_client, case_kita):
    url = reverse("cases:case_list")
    listed = kita_client.get(url).context["page"].object_list
    assert [c.overdue_tasks for c in listed] == [1]
    # A closed case's leftover task (e.g. from an import) is nobody's to chase: no count, no filter hit.
    Case.all_objects.filter(pk=case_kita.pk).update(status="closed", closed_on=dt.date(2020, 8, 1))
    assert [c.overdue_tasks for c in kita_client.get(url, {"status": "all"}).context["page"].object_list] == [0]
    assert list(kita_client.get(url, {"overdue": "on", "status": "all"}).context["page"].object_list) == []


class TestConsentFromAMeeting:
    def test_the_agencies_the_meeting_convenes_are_chosen_already(self, kita_client, case_kita, kita_houkatsu, kita):
        from tests.factories import AgencyFactory

        council = AgencyFactory(ward=kita, name="北区社会福祉協議会")
        other = AgencyFactory(ward=kita, name="北区見守り相談室")
        url = reverse("cases:consent_create", args=[case_kita.pk])
        page = kita_client.get(url, {"purpose": "meeting", "agency": [kita_houkatsu.pk, council.pk, "x"]}).content.decode()
        select = re.search(r'<select name="agencies".*?</select>', page, re.S).group(0)
        chosen = {int(pk) for pk in re.findall(r'<option value="(\d+)"[^>]* selected[ >]', select)}
        assert chosen == {kita_houkatsu.pk, council.pk} and other.pk not in chosen

    def test_without_a_meeting_nothing_is_chosen(self, kita_client, case_kita):
        page = kita_client.get(reverse("cases:consent_create", args=[case_kita.pk])).content.decode()
        assert not re.search(r'<select name="agencies"[^>]*>(?:(?!</select>).)* selected', page, re.S)
