import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from audit.services import audit_record


def test_an_event_records_who_what_when_and_from_where(rf, coordinator_kita, household_kita):
    request = rf.get("/households/1/", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="Chromium")
    request.user = coordinator_kita
    event = audit_record(action=Action.VIEW, request=request, obj=household_kita)
    event.refresh_from_db()
    assert (event.user, event.username, event.municipality) == (coordinator_kita, "kita_coordinator", coordinator_kita.municipality)
    assert (event.object_type, event.object_id) == ("cases.household", str(household_kita.pk))
    assert (event.ip, event.user_agent, event.path) == ("10.1.2.3", "Chromium", "/households/1/")


def test_the_label_names_the_record_by_number_and_never_the_resident(rf, coordinator_kita, household_kita):
    request = rf.get("/")
    request.user = coordinator_kita
    event = audit_record(action=Action.VIEW, request=request, obj=household_kita)
    assert event.object_label == f"世帯 #{household_kita.pk}"
    assert "北村" not in str(event.detail) + event.object_label


def test_a_forwarded_address_is_used_only_behind_a_trusted_proxy(rf, coordinator_kita, settings):
    # The client forged the first entry; the city's proxy appended the real address last.
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.66, 192.0.2.7")
    request.user = coordinator_kita
    assert audit_record(action=Action.VIEW, request=request).ip == "10.0.0.1"
    settings.AUDIT_TRUST_X_FORWARDED_FOR = True
    assert audit_record(action=Action.VIEW, request=request).ip == "192.0.2.7"


def test_events_cannot_be_changed_or_deleted_through_the_model(coordinator_kita):
    event = audit_record(action=Action.LOGIN, user=coordinator_kita)
    event.action = Action.LOGOUT
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(action=Action.LOGOUT)
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_auditevent SET action = 'logout'", "DELETE FROM audit_auditevent"]
)
def test_the_database_itself_refuses_to_rewrite_the_trail(coordinator_kita, statement):
    event = audit_record(action=Action.LOGIN, user=coordinator_kita)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    event.refresh_from_db()
    assert event.action == Action.LOGIN


def test_viewing_a_household_leaves_a_view_event(client, coordinator_kita, household_kita):
    client.force_login(coordinator_kita)
    client.get(reverse("cases:household_detail", args=[household_kita.pk]), REMOTE_ADDR="10.9.8.7")
    event = AuditEvent.objects.get(action=Action.VIEW)
    assert (event.user, event.object_id, event.ip) == (coordinator_kita, str(household_kita.pk), "10.9.8.7")


def test_a_refused_view_leaves_no_view_event(client, coordinator_nishinari, household_kita):
    client.force_login(coordinator_nishinari)
    assert client.get(reverse("cases:household_detail", args=[household_kita.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.VIEW).exists()


def test_the_household_list_records_which_households_were_shown(client, coordinator_kita, household_kita, household_nishinari):
    client.force_login(coordinator_kita)
    client.get(reverse("cases:household_list"))
    event = AuditEvent.objects.get(action=Action.LIST)
    assert event.detail["ids"] == [household_kita.pk]


def test_login_logout_and_failed_logins_are_recorded(client, coordinator_kita):
    login = reverse("accounts:login")
    client.post(login, {"username": "kita_coordinator", "password": "wrong"}, REMOTE_ADDR="10.0.0.5")
    client.post(login, {"username": "kita_coordinator", "password": "test-password-123"})
    client.post(reverse("accounts:logout"))
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", "username"))
    assert actions == [
        (Action.LOGIN_FAILED, "kita_coordinator"),
        (Action.LOGIN, "kita_coordinator"),
        (Action.LOGOUT, "kita_coordinator"),
    ]
    assert AuditEvent.objects.get(action=Action.LOGIN_FAILED).ip == "10.0.0.5"


class TestAuditorSearch:
    url = reverse("audit:event_list")

    @pytest.fixture
    def events(self, coordinator_kita, coordinator_nishinari, coordinator_komae, household_kita):
        audit_record(action=Action.VIEW, user=coordinator_kita, obj=household_kita)
        audit_record(action=Action.LIST, user=coordinator_nishinari)
        audit_record(action=Action.VIEW, user=coordinator_komae)

    def test_the_auditor_sees_every_event_of_their_own_city_only(self, client, auditor, events):
        client.force_login(auditor)
        response = client.get(self.url)
        assert response.status_code == 200
        usernames = {event.username for event in response.context["page"].object_list}
        # The auditor's own sign-in is on the trail too; 狛江市's coordinator is not.
        assert usernames == {"kita_coordinator", "nishinari_coordinator", "auditor"}

    def test_events_can_be_found_by_user_object_and_date(self, client, auditor, events, household_kita):
        client.force_login(auditor)
        by_user = client.get(self.url, {"username": "nishinari_coordinator"}).context["page"].object_list
        assert [e.action for e in by_user] == [Action.LIST]
        by_object = client.get(
            self.url, {"object_type": "cases.household", "object_id": household_kita.pk}
        ).context["page"].object_list
        assert [e.username for e in by_object] == ["kita_coordinator"]
        today = timezone.localdate()  # the filter works in Tokyo time
        tomorrow = today + dt.timedelta(days=1)
        assert len(client.get(self.url, {"date_from": tomorrow}).context["page"].object_list) == 0
        in_range = client.get(self.url, {"date_from": today - dt.timedelta(days=1), "date_to": tomorrow})
        assert len(in_range.context["page"].object_list) == 3

    def test_the_kinds_of_record_are_offered_by_their_japanese_names_without_history_tables(self, client, auditor):
        client.force_login(auditor)
        offered = dict(client.get(self.url).context["filter"].form.fields["object_type"].choices)
        assert offered["cases.household"] == "世帯" and offered["referrals.referral"] == "つなぎ"
        # The change history's shadow tables and the case-number counter are no records a person looks at.
        assert not [key for key in offered if "historical" in key or key == "cases.casenumbersequence"]

    def test_a_bad_date_is_answered_in_japanese_and_does_not_crash(self, client, auditor, events):
        client.force_login(auditor)
        response = client.get(self.url, {"date_from": "2020-13-45"})
        assert response.status_code == 200
        assert "存在しない日付です。月は1から12までです。" in response.content.decode()

    def test_the_search_page_costs_the_same_queries_for_two_events_or_twenty(
        self, client, auditor, coordinator_kita, django_assert_num_queries
    ):
        client.force_login(auditor)
        for _ in range(2):
            audit_record(action=Action.LOGIN, user=coordinator_kita)
        # savepoint (ATOMIC_REQUESTS), session, auditor, count, municipality (header), the page of events
        # with their users in one join, release; then the session save (savepoint, update, release).
        with django_assert_num_queries(10):
            client.get(self.url)
        for _ in range(18):
            audit_record(action=Action.LOGIN, user=coordinator_kita)
        with django_assert_num_queries(10):
            response = client.get(self.url)
        assert len(response.context["page"].object_list) == 21  # 20 logins and the auditor's own


def test_a_date_range_covers_whole_days_in_tokyo_time(client, auditor, coordinator_kita):
    # 1 April 00:10 in Tokyo is still 31 March in UTC: it belongs to 1 April.
    tokyo = dt.timezone(dt.timedelta(hours=9))
    for moment in (dt.datetime(2020, 3, 31, 23, 50, tzinfo=tokyo), dt.datetime(2020, 4, 1, 0, 10, tzinfo=tokyo),
                   dt.datetime(2020, 4, 1, 23, 59, tzinfo=tokyo), dt.datetime(2020, 4, 2, 0, 0, tzinfo=tokyo)):
        AuditEvent.objects.create(
            at=moment, action=Action.VIEW, user=coordinator_kita, municipality=coordinator_kita.municipality
        )
    client.force_login(auditor)
    found = client.get(reverse("audit:event_list"), {"date_from": "2020-04-01", "date_to": "2020-04-01"})
    times = sorted(timezone.localtime(e.at).strftime("%m-%d %H:%M") for e in found.context["page"].object_list)
    assert times == ["04-01 00:10", "04-01 23:59"]
