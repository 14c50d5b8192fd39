"""audit_batch: the events of one page written together (three queries), each still its own chained event."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import Action, AuditEvent
from audit.services import audit_batch, audit_record

pytestmark = pytest.mark.django_db


def _audit_writes(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries
            if "audit_auditchainhead" in q["sql"] or q["sql"].startswith('INSERT INTO "audit_auditevent"')]


def test_events_recorded_in_a_batch_are_written_on_leaving_in_order_with_three_queries(coordinator_kita):
    with CaptureQueriesContext(connection) as queries:
        with audit_batch():
            for i in range(5):
                audit_record(action=Action.VIEW, user=coordinator_kita, object_type="cases.case", object_id=str(i))
            assert not AuditEvent.objects.exists()  # nothing written until the batch ends
    assert len(_audit_writes(queries)) == 3
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.object_id for e in events] == ["0", "1", "2", "3", "4"]
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "監査ログは改ざんされていません。" in out.getvalue()


def test_a_batch_left_by_an_exception_writes_nothing(coordinator_kita):
    with pytest.raises(RuntimeError), audit_batch():
        audit_record(action=Action.VIEW, user=coordinator_kita, object_type="cases.case", object_id="1")
        raise RuntimeError
    assert not AuditEvent.objects.exists()


def test_a_nested_batch_writes_with_the_outer_one(coordinator_kita):
    with audit_batch():
        with audit_batch():
            audit_record(action=Action.VIEW, user=coordinator_kita, object_type="cases.case", object_id="1")
        assert not AuditEvent.objects.exists()
        audit_record(action=Action.VIEW, user=coordinator_kita, object_type="cases.case", object_id="2")
    assert list(AuditEvent.objects.order_by("seq").values_list("object_id", flat=True)) == ["1", "2"]


def test_the_coordinators_dashboard_audits_each_list_it_shows_in_one_write(client, coordinator_kita, case_kita):
    client.force_login(coordinator_kita)
    before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home:dashboard")).status_code == 200
    lists = AuditEvent.objects.order_by("seq")[before:]
    assert {e.object_type for e in lists if e.action == Action.LIST} >= {
        "cases.household", "cases.roleassignment", "meetings.meeting", "referrals.referral"}
    assert len(_audit_writes(queries)) == 3
