"""Meeting and activity pages: scoping, the record form, the printed record, query counts."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from cases.models import RoleAssignment
from meetings import services
from meetings.models import Meeting, MeetingBasis, MeetingKind
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


def _meeting(user, ward, cases=(), agencies=(), day=dt.date(2020, 9, 10), basis="地域ケア会議", **extra):
    return services.meeting_schedule(
        user=user, ward=ward, kind=MeetingKind.objects.get(name="つながる場"), basis=MeetingBasis.objects.get(name=basis),
        starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(14))), cases=cases, agencies=agencies, **extra,
    )


class TestScoping:
    def test_an_agency_sees_only_meetings_it_was_invited_to(self, coordinator_kita, kita, case_kita, kita_houkatsu, agency_worker):
        invited = _meeting(coordinator_kita, kita, [case_kita], [kita_houkatsu])
        not_invited = _meeting(coordinator_kita, kita, [case_kita], [AgencyFactory(ward=kita, name="北区社会福祉協議会")])
        assert list(Meeting.objects.for_user(agency_worker)) == [invited]
        assert not_invited in Meeting.objects.for_user(coordinator_kita)

    def test_other_wards_and_aggregate_roles_see_none(self, coordinator_kita, coordinator_nishinari, bureau, coordinator_komae,
                                                      kita, case_kita):
        _meeting(coordinator_kita, kita, [case_kita])
        for user in (coordinator_nishinari, bureau, coordinator_komae):
            assert not Meeting.objects.for_user(user).exists()

    def test_a_supervisor_sees_what_they_convene_attend_or_are_dispatched_to(self, coordinator_kita, kita, case_kita, supervisor,
                                                                             household_kita, osaka):
        from cases import services as case_services

        dispatched = _meeting(coordinator_kita, kita, [case_kita])  # case_kita has this SV dispatched
        other_case = case_services.case_open(user=coordinator_kita, household=household_kita,
                                             received_on=dt.date(2020, 5, 1), intake_channel="phone")
        third_case = case_services.case_open(user=coordinator_kita, household=household_kita,
                                             received_on=dt.date(2020, 5, 2), intake_channel="phone")
        as_sv = _meeting(coordinator_kita, kita, [other_case], sv_dispatched=True, supervisor=supervisor)
        # Dispatched to a meeting, the SV is dispatched to its cases, and so sees their other meetings too.
        about_the_same_case = _meeting(coordinator_kita, kita, [other_case])
        elsewhere = _meeting(coordinator_kita, kita, [third_case])
        other_sv = UserFactory(username="sv2", role="supervisor", municipality=osaka)
        convened = _meeting(other_sv, kita, [])
        visible = set(Meeting.objects.for_user(supervisor))
        assert {dispatched, as_sv, about_the_same_case} <= visible and elsewhere not in visible and convened not in visible
        assert convened in Meeting.objects.for_user(other_sv)

    def test_an_invited_agency_sees_the_meeting_but_cannot_write_and_the_other_ward_gets_404(
            self, client, coordinator_kita, kita, case_kita, kita_houkatsu, agency_worker, coordinator_nishinari):
        meeting = _meeting(coordinator_kita, kita, [case_kita], [kita_houkatsu])
        client.force_login(agency_worker)
        page = client.get(reverse("meetings:meeting_detail", args=[meeting.pk]))
        assert page.status_code == 200 and case_kita.number in page.content.decode()
        assert "開催記録を入力" not in page.content.decode()
        assert client.get(reverse("meetings:meeting_record", args=[meeting.pk])).status_code == 403
        client.force_login(coordinator_nishinari)
        assert client.get(reverse("meetings:meeting_detail", args=[meeting.pk])).status_code == 404


class TestPages:
    def test_convening_without_consent_shows_what_is_missing_and_a_way_to_record_it(self, client, coordinator_kita, case_kita):
        client.force_login(coordinator_kita)
        response = client.post(reverse("meetings:meeting_create"), {
            "kind": MeetingKind.objects.get(name="つながる場").pk,
            "basis": MeetingBasis.objects.get(name="本人同意（つながる場単独開催）").pk,
            "ward": coordinator_kita.ward_id, "starts_at": "2020-09-10T14:00", "cases": [case_kita.pk],
        })
        page = response.content.decode()
        assert response.status_code == 400
        assert "有効な「つながる場での協議」の同意がありません" in page
        assert reverse("cases:consent_create", args=[case_kita.pk]) in page
        assert not Meeting.all_objects.exists()

    def test_the_record_form_saves_attendance_issues_and_tasks(self, client, coordinator_kita, kita, case_kita, kita_houkatsu):
        meeting = _meeting(coordinator_kita, kita, [case_kita], [kita_houkatsu])
        discussion = meeting.discussions.get()
        url = reverse("meetings:meeting_record", args=[meeting.pk])
        client.force_login(coordinator_kita)
        form = client.get(url)
        issue = case_kita.issues.get()
        assert f'name="issues_{discussion.pk}" value="{issue.category_id}"' in form.content.decode()
        response = client.post(url, {
            "version": meeting.version, "attended_agencies": [kita_houkatsu.pk], "minutes": "状況を共有", "decisions": "見守り",
            f"issues_{discussion.pk}": [issue.category_id], f"note_{discussion.pk}": "家計の相談につなぐ",
            "attendees-TOTAL_FORMS": 2, "attendees-INITIAL_FORMS": 0, "attendees-0-name": "包括 花子",
            "attendees-0-agency": kita_houkatsu.pk, "attendees-1-name": "",
            "tasks-TOTAL_FORMS": 2, "tasks-INITIAL_FORMS": 0, "tasks-0-case": case_kita.pk, "tasks-0-agency": kita_houkatsu.pk,
            "tasks-0-task": "家計相談への同行", "tasks-0-due_on": "2020-10-01", "tasks-1-case": case_kita.pk, "tasks-1-task": "",
            "agenda-TOTAL_FORMS": 0, "agenda-INITIAL_FORMS": 0,
        })
        assert response.status_code == 302, response.content.decode()
        assert RoleAssignment.objects.get(meeting_link__meeting=meeting).task == "家計相談への同行"
        assert meeting.attendees.get().name == "包括 花子"
        detail = client.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
        assert "家計相談への同行" in detail and "家計の相談につなぐ" in detail

    def test_a_task_for_an_agency_not_at_the_meeting_needs_consent_and_the_page_links_to_it(
            self, client, coordinator_kita, kita, case_kita, kita_houkatsu):
        council = AgencyFactory(ward=kita, name="北区社会福祉協議会")
        meeting = _meeting(coordinator_kita, kita, [case_kita], [kita_houkatsu])
        url = reverse("meetings:meeting_record", args=[meeting.pk])
        client.force_login(coordinator_kita)
        response = client.post(url, {
            "version": meeting.version, "attended_agencies": [kita_houkatsu.pk], "minutes": "協議", "decisions": "見守り",
            "attendees-TOTAL_FORMS": 0, "attendees-INITIAL_FORMS": 0, "agenda-TOTAL_FORMS": 0, "agenda-INITIAL_FORMS": 0,
            "tasks-TOTAL_FORMS": 2, "tasks-INITIAL_FORMS": 0,
            "tasks-0-case": case_kita.pk, "tasks-0-agency": kita_houkatsu.pk, "tasks-0-task": "訪問",
            "tasks-1-case": case_kita.pk, "tasks-1-agency": council.pk, "tasks-1-task": "サロンの紹介",
        })
        page = response.content.decode()
        assert response.status_code == 400 and not RoleAssignment.objects.filter(meeting_link__meeting=meeting).exists()
        assert "北区社会福祉協議会は会議に出席していないため" in page
        assert reverse("cases:consent_create", args=[case_kita.pk]) + f"?purpose=provision&amp;agency={council.pk}" in page

    def test_a_task_for_an_agency_present_at_a_statutory_meeting_is_shared_by_the_meeting(
            self, coordinator_kita, kita, case_kita, kita_houkatsu):
        meeting = _meeting(coordinator_kita, kita, [case_kita], [kita_houkatsu])
        services.meeting_record(user=coordinator_kita, meeting=meeting, version=meeting.version,
                                attended_agencies=[kita_houkatsu],
                                tasks=[{"case": case_kita, "agency": kita_houkatsu, "task": "訪問"}])
        task = RoleAssignment.objects.get(meeting_link__meeting=meeting)
        assert (task.sharing_basis, task.consent) == ("meeting", None)

    def test_the_printed_record_carries_basis_confidentiality_cases_and_tasks(self, client, coordinator_kita, kita, case_kita,
                                                                            kita_houkatsu):
        meeting = _meeting(coordinator_kita, kita, [case_kita], [kita_houkatsu])
        services.meeting_record(user=coordinator_kita, meeting=meeting, version=meeting.version, decisions="月2回訪問",
                                attended_agencies=[kita_houkatsu], attendees=[{"name": "包括 花子", "agency": kita_houkatsu}],
                                tasks=[{"case": case_kita, "agency": kita_houkatsu, "task": "訪問", "due_on": dt.date(2020, 10, 1)}])
        client.force_login(coordinator_kita)
        page = client.get(reverse("meetings:meeting_print", args=[meeting.pk])).content.decode()
        for text in ("会議録", "地域ケア会議", "介護保険法第115条の48", "守秘義務", case_kita.number, "包括 花子",
                     "月2回訪問", "訪問", "令和2年10月1日", "取扱注意"):
            assert text in page, text
        assert 'href="/' not in page.split("<main>")[1]  # a handout: no navigation links
        assert AuditEvent.objects.filter(action=Action.EXPORT, object_type="meetings.meeting").exists()

    def test_the_case_page_lists_its_meetings_and_the_timeline_shows_the_one_held(self, client, coordinator_kita, kita, case_kita):
        meeting = _meeting(coordinator_kita, kita, [case_kita])
        services.meeting_record(user=coordinator_kita, meeting=meeting, version=meeting.version, decisions="再アセスメント")
        client.force_login(coordinator_kita)
        page = client.get(reverse("cases:case_detail", args=[case_kita.pk])).content.decode()
        assert reverse("meetings:meeting_detail", args=[meeting.pk]) in page
        assert "timeline-meeting" in page and "再アセスメント" in page

    def test_the_household_overview_names_the_agencies_that_met_about_it(self, coordinator_kita, kita, case_kita, household_kita):
        from cases.selectors import household_overview

        walk_in = AgencyFactory(ward=kita, name="北区見守り相談室")
        meeting = _meeting(coordinator_kita, kita, [case_kita])
        services.meeting_record(user=coordinator_kita, meeting=meeting, version=meeting.version, attended_agencies=[walk_in])
        involvement = {i.agency.name: i.what for i in household_overview(household=household_kita)["involvement"]}
        assert involvement["北区見守り相談室"] == ["令和2年9月10日 のつながる場に出席"]

    def test_the_meeting_list_costs_the_same_queries_for_one_meeting_or_twenty(self, client, coordinator_kita, kita, case_kita,
                                                                              kita_houkatsu, django_assert_num_queries):
        client.force_login(coordinator_kita)
        _meeting(coordinator_kita, kita, [case_kita], [kita_houkatsu])
        client.get(reverse("meetings:meeting_list"))
        with django_assert_num_queries(QUERIES_MEETING_LIST):
            client.get(reverse("meetings:meeting_list"))
        for day in range(19):
            _meeting(coordinator_kita, kita, [case_kita], [kita_houkatsu], day=dt.date(2020, 10, 1) + dt.timedelta(days=day))
        with django_assert_num_queries(QUERIES_MEETING_LIST):
            client.get(reverse("meetings:meeting_list"))

    def test_the_meeting_page_costs_the_same_queries_for_a_small_or_a_large_meeting(
            self, client, coordinator_kita, kita, case_kita, kita_houkatsu, django_assert_num_queries):
        small = _meeting(coordinator_kita, kita, [case_kita], [kita_houkatsu])
        agencies = [AgencyFactory(ward=kita, name=f"北区機関{n}") for n in range(8)]
        large = _meeting(coordinator_kita, kita, [case_kita], agencies)
        services.meeting_record(user=coordinator_kita, meeting=large, version=large.version, attended_agencies=agencies,
                                attendees=[{"name": f"職員{n}"} for n in range(8)])
        client.force_login(coordinator_kita)
        client.get(reverse("meetings:meeting_detail", args=[small.pk]))
        with django_assert_num_queries(QUERIES_MEETING_PAGE):
            client.get(reverse("meetings:meeting_detail", args=[small.pk]))
        with django_assert_num_queries(QUERIES_MEETING_PAGE):
            client.get(reverse("meetings:meeting_detail", args=[large.pk]))


class TestActivityPages:
    def test_quick_entry_lists_and_sums_per_ward(self, client, coordinator_kita, coordinator_nishinari, nishinari):
        client.force_login(coordinator_kita)
        response = client.post(reverse("meetings:activity_create"), {"kind": "case_review", "held_on": "2022-06-01", "case_count": 7})
        assert response.status_code == 302
        services.activity_record(user=coordinator_nishinari, ward=nishinari, kind="case_review", held_on=dt.date(2022, 6, 2), case_count=3)
        page = client.get(reverse("meetings:activity_list")).content.decode()
        assert "令和4年6月1日" in page and "令和4年6月2日" not in page
        refused = client.post(reverse("meetings:activity_create"), {"kind": "case_review", "held_on": "2022-06-01"})
        assert refused.status_code == 400 and "検討した事例数を入力してください" in refused.content.decode()


    def test_the_activity_list_costs_the_same_queries_for_one_activity_or_twenty(self, client, coordinator_kita, kita,
                                                                                django_assert_num_queries):
        client.force_login(coordinator_kita)
        services.activity_record(user=coordinator_kita, ward=kita, kind="publicity", held_on=dt.date(2022, 6, 1))
        client.get(reverse("meetings:activity_list"))
        with django_assert_num_queries(QUERIES_ACTIVITY_LIST):
            client.get(reverse("meetings:activity_list"))
        for day in range(19):
            services.activity_record(user=coordinator_kita, ward=kita, kind="liaison", held_on=dt.date(2022, 7, 1 + day),
                                     agency_count=5)
        with django_assert_num_queries(QUERIES_ACTIVITY_LIST):
            client.get(reverse("meetings:activity_list"))


QUERIES_ACTIVITY_LIST = 15
# The list and the page each write one audit event: 3 queries (chain head, event, head moved on; audit.chain).
QUERIES_MEETING_LIST = 18
QUERIES_MEETING_PAGE = 21


class TestWording:
    def test_a_meeting_not_yet_held_has_cases_to_discuss_and_a_held_one_cases_discussed(self, client, coordinator_kita, kita,
                                                                                         case_kita):
        meeting = _meeting(coordinator_kita, kita, [case_kita])
        client.force_login(coordinator_kita)
        url = reverse("meetings:meeting_detail", args=[meeting.pk])
        page = client.get(url).content.decode()
        assert "<h2>協議する事例</h2>" in page and "協議した事例" not in page
        services.meeting_record(user=coordinator_kita, meeting=meeting, version=meeting.version, decisions="見守り")
        page = client.get(url).content.decode()
        assert "<h2>協議した事例</h2>" in page and "<h2>協議する事例</h2>" not in page


class TestConsentFromARefusal:
    def test_the_link_to_record_consent_carries_the_agencies_the_meeting_convenes(self, client, coordinator_kita, kita,
                                                                                   case_kita, kita_houkatsu):
        council = AgencyFactory(ward=kita, name="北区社会福祉協議会")
        client.force_login(coordinator_kita)
        response = client.post(reverse("meetings:meeting_create"), {
            "kind": MeetingKind.objects.get(name="つながる場").pk,
            "basis": MeetingBasis.objects.get(name="本人同意（つながる場単独開催）").pk,
            "ward": coordinator_kita.ward_id, "starts_at": "2020-09-10T14:00", "cases": [case_kita.pk],
            "agencies": [kita_houkatsu.pk, council.pk],
        })
        assert response.status_code == 400
        link = re.search(rf'href="({reverse("cases:consent_create", args=[case_kita.pk])}[^"]+)"', response.content.decode())
        followed = client.get(html.unescape(link.group(1))).content.decode()
        select = re.search(r'<select name="agencies".*?</select>', followed, re.S).group(0)
        chosen = {int(pk) for pk in re.findall(r'<option value="(\d+)"[^>]* selected[ >]', select)}
        assert chosen == {kita_houkatsu.pk, council.pk}
        assert 'name="next" value="/meetings/new/?' in followed  # and back to the form afterwards


class TestWhatASupervisorIsOffered:
    """docs/access-policy.md: consent is recorded by the ward's coordinator; an SV is told so, not sent to a 403."""

    def test_a_refused_schedule_asks_the_supervisor_to_go_through_the_coordinator_and_keeps_the_form(
            self, client, supervisor, case_kita):
        client.force_login(supervisor)
        response = client.post(reverse("meetings:meeting_create"), {
            "kind": MeetingKind.objects.get(name="重層的支援会議").pk,
            "basis": MeetingBasis.objects.get(name="重層的支援会議").pk,
            "ward": case_kita.ward_id, "starts_at": "2020-09-10T14:00", "cases": [case_kita.pk],
            "place": "北区役所 第2会議室",
        })
        page = response.content.decode()
        assert response.status_code == 400 and "有効な「つながる場での協議」の同意がありません" in page
        assert reverse("cases:consent_create", args=[case_kita.pk]) not in page
        assert "推進員に同意の記録を依頼してください" in page and "北区役所 第2会議室" in page

    def test_a_supervisor_dispatched_to_a_meeting_opens_the_cases_it_discusses(self, client, coordinator_kita, kita,
                                                                               case_kita, kita_houkatsu):
        from tests.factories import UserFactory

        sv = UserFactory(username="sv_dispatched", role="supervisor", municipality=case_kita.municipality)
        client.force_login(sv)
        assert client.get(reverse("cases:case_detail", args=[case_kita.pk])).status_code == 404
        meeting = _meeting(coordinator_kita, kita, [case_kita], [kita_houkatsu], supervisor=sv, sv_dispatched=True)
        page = client.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
        assert reverse("cases:case_detail", args=[case_kita.pk]) in page
        assert client.get(reverse("cases:case_detail", args=[case_kita.pk])).status_code == 200


def test_the_meeting_form_costs_the_same_templates_and_queries_for_two_open_cases_or_thirty(
        client, coordinator_kita, kita, case_kita):
    """Each case to discuss is a checkbox written by core.forms.QuickCheckboxes, not four templates of its own."""
    from django.db import connection
    from django.test.signals import template_rendered
    from django.test.utils import CaptureQueriesContext

    from cases import services as case_services
    from tests.factories import HouseholdFactory, HouseholdMemberFactory

    def add_cases(n):
        for i in range(n):
            household = HouseholdFactory(ward=kita)
            HouseholdMemberFactory(household=household, name=f"協議 {i}")
            case_services.case_open(user=coordinator_kita, household=household, received_on=dt.date(2021, 4, 1),
                                    intake_channel="visit")

    def cost():
        templates = []
        template_rendered.connect(record := lambda sender, template, context, **kw: templates.append(template.name))
        try:
            with CaptureQueriesContext(connection) as queries:
                page = client.get(reverse("meetings:meeting_create")).content.decode()
        finally:
            template_rendered.disconnect(record)
        return len(templates), len(queries.captured_queries), page.count('name="cases"')

    client.force_login(coordinator_kita)
    add_cases(1)
    client.get(reverse("meetings:meeting_create"))
    templates, queries, boxes = cost()
    assert boxes == 2  # case_kita and the one added
    add_cases(28)
    assert cost() == (templates, queries, 30)
