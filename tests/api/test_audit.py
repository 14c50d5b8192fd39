"""Every view of personal data through the API leaves the same audit event as the page: one per list
request naming the records shown, one per detail."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def kita_api(api, coordinator_kita):
    return api(coordinator_kita)


DETAILS = {
    "household_detail": ("cases.household", lambda o: o["household_kita"].pk),
    "case_detail": ("cases.case", lambda o: o["case_kita"].pk),
    "issue_detail": ("cases.caseissue", lambda o: o["case_kita"].issues.get().pk),
    "consultation_detail": ("cases.consultation", lambda o: o["consultation_kita"].pk),
    "meeting_detail": ("meetings.meeting", lambda o: o["meeting_kita"].pk),
    "referral_detail": ("referrals.referral", lambda o: o["referral_kita"].pk),
}
LISTS = {
    "household_list": ("cases.household", lambda o: o["household_kita"].pk),
    "case_list": ("cases.case", lambda o: o["case_kita"].pk),
    "issue_list": ("cases.caseissue", lambda o: o["case_kita"].issues.get().pk),
    "consultation_list": ("cases.consultation", lambda o: o["consultation_kita"].pk),
    "meeting_list": ("meetings.meeting", lambda o: o["meeting_kita"].pk),
    "referral_list": ("referrals.referral", lambda o: o["referral_kita"].pk),
}


@pytest.fixture
def objects(household_kita, case_kita, consultation_kita, meeting_kita, referral_kita):
    return {"household_kita": household_kita, "case_kita": case_kita, "consultation_kita": consultation_kita,
            "meeting_kita": meeting_kita, "referral_kita": referral_kita}


@pytest.mark.parametrize("name", sorted(DETAILS))
def test_a_detail_writes_one_view_event_for_its_record(name, kita_api, coordinator_kita, objects):
    object_type, key = DETAILS[name]
    pk = key(objects)
    before = AuditEvent.objects.count()
    assert kita_api.get(reverse(f"api:{name}", kwargs={"pk": pk}), REMOTE_ADDR="10.1.2.3").status_code == 200
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(e.action, e.object_type, e.object_id, e.user_id) for e in events] == [
        (Action.VIEW, object_type, str(pk), coordinator_kita.pk)]
    assert events[0].ip == "10.1.2.3" and events[0].path.startswith("/api/v1/")


@pytest.mark.parametrize("name", sorted(LISTS))
def test_a_list_writes_one_event_naming_every_record_on_the_page(name, kita_api, coordinator_kita, objects):
    object_type, key = LISTS[name]
    before = AuditEvent.objects.count()
    assert kita_api.get(reverse(f"api:{name}")).status_code == 200
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(e.action, e.object_type, e.user_id) for e in events] == [(Action.LIST, object_type, coordinator_kita.pk)]
    assert events[0].detail["ids"] == [key(objects)] and events[0].detail["page"] == 1


def test_a_refused_request_writes_no_view_event_only_the_refusal(api, coordinator_nishinari, bureau, case_kita):
    before = AuditEvent.objects.count()
    assert api(coordinator_nishinari).get(reverse("api:case_detail", kwargs={"pk": case_kita.pk})).status_code == 404
    assert api(bureau).get(reverse("api:case_list")).status_code == 403
    new = AuditEvent.objects.order_by("pk")[before:]
    assert [(e.user, e.action, e.detail["status"]) for e in new] == [(coordinator_nishinari, Action.REFUSED, 404),
                                                                     (bureau, Action.REFUSED, 403)]


def test_the_referral_event_records_what_was_shared_and_the_reader_s_notice_is_read(api, agency_worker, referral_kita):
    from referrals.models import Notification

    assert Notification.objects.filter(user=agency_worker, read_at__isnull=True).exists()
    api(agency_worker).get(reverse("api:referral_detail", kwargs={"pk": referral_kita.pk}))
    event = AuditEvent.objects.filter(object_type="referrals.referral", action=Action.VIEW).get()
    assert event.detail == {"shared": ["identity"]}
    assert not Notification.objects.filter(user=agency_worker, referral=referral_kita, read_at__isnull=True).exists()


def test_a_report_is_recorded_as_an_export(api, bureau):
    api(bureau).get(reverse("api:reports_annual"), {"fy": 2020})
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.detail == {"report": "annual", "format": "json", "fy": "2020"}
