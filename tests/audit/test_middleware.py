"""Refusals on personal-data routes are written to the trail (#14 item 5), with the route and its ids only."""

import io
import logging

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


def _refusals(user):
    return list(AuditEvent.objects.filter(user=user, action=Action.REFUSED))


@pytest.mark.parametrize(("who", "route", "status"), [
    ("coordinator_nishinari", "cases:case_detail", 404),  # another ward
    ("agency_worker", "cases:case_detail", 403),  # an agency opens no case file
    ("bureau", "cases:household_detail", 403),  # aggregates only
    ("coordinator_nishinari", "api:case_detail", 404),
    ("agency_worker", "api:household_detail", 403),
])
def test_a_refusal_names_who_asked_for_which_route_and_id(client, cast, case_kita, who, route, status):
    user = cast[who]
    client.force_login(user)
    pk = case_kita.household_id if "household" in route else case_kita.pk
    url = reverse(route, kwargs={"pk": pk})
    assert client.get(url + "?q=北村").status_code == status
    [event] = _refusals(user)
    assert event.detail == {"status": status, "route": route, "ids": {"pk": str(pk)}, "method": "GET"}
    assert event.path == url  # no query string: no search term reaches the trail
    kind = "世帯" if "household" in route else "事例"
    assert (event.object_id, event.object_label) == (str(pk), f"{kind} #{pk}")


def test_an_unknown_id_is_a_refusal_too_but_an_unknown_address_or_a_report_is_not(client, coordinator_kita, bureau):
    client.force_login(coordinator_kita)
    assert client.get(reverse("cases:case_detail", args=[999999])).status_code == 404
    assert client.get("/no-such-page/").status_code == 404
    assert [e.detail["route"] for e in _refusals(coordinator_kita)] == ["cases:case_detail"]
    client.force_login(bureau)
    assert client.get(reverse("reports:annual")).status_code == 200
    assert _refusals(bureau) == []


def test_an_allowed_page_writes_no_refusal(client, coordinator_kita, case_kita):
    client.force_login(coordinator_kita)
    assert client.get(reverse("cases:case_detail", args=[case_kita.pk])).status_code == 200
    assert _refusals(coordinator_kita) == []


def test_the_auditor_finds_the_refusals(client, auditor, coordinator_nishinari, case_kita, coordinator_kita):
    client.force_login(coordinator_nishinari)
    client.get(reverse("cases:case_detail", args=[case_kita.pk]))
    client.force_login(coordinator_kita)
    client.get(reverse("cases:case_detail", args=[case_kita.pk]))
    client.force_login(auditor)
    page = client.get(reverse("audit:event_list"), {"action": Action.REFUSED}).content.decode()
    assert coordinator_nishinari.username in page and str(Action.REFUSED.label) in page
    assert coordinator_kita.username not in page.split("<tbody>", 1)[-1]


def test_a_403_is_one_line_in_the_log_without_a_traceback(client, agency_worker, case_kita):
    """The console handler as configured in settings.LOGGING, written to a buffer."""
    handler = next(h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler)
    buffer = io.StringIO()
    old = handler.setStream(buffer)
    try:
        client.force_login(agency_worker)
        assert client.get(reverse("cases:case_detail", args=[case_kita.pk])).status_code == 403
    finally:
        handler.setStream(old)
    log = buffer.getvalue()
    assert "Forbidden" in log and "Traceback" not in log and "PermissionDenied" not in log
