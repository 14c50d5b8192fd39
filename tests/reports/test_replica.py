"""Report reads on a read replica (#16 item 7, core.replica): with READ_REPLICA set, the yearly report's counting
queries go through the replica's connection, and every write — the audit event, the cached counts — stays on the
primary, as do the reads outside a report (the login, the session).

The "replica" alias of the test settings is the test database itself (TEST MIRROR), reached through a connection
of its own: it sees committed rows only, hence transaction=True, as a real replica sees only what the primary
committed.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Ward
from audit.models import Action, AuditEvent
from core.replica import replica_reads, reports_alias
from reports.annual import annual_report
from tests.reports.test_annual import held

pytestmark = [pytest.mark.django_db(transaction=True, databases=["default", "replica"])]
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


@pytest.fixture
def replica(settings):
    settings.READ_REPLICA = "replica"


@pytest.fixture
def two_meetings(coordinator_kita, kita):
    held(coordinator_kita, kita)
    held(coordinator_kita, kita, basis="支援会議")
    return kita.municipality


class Captured:
    """The statements each connection ran inside the block."""

    def __enter__(self):
        self.contexts = {alias: CaptureQueriesContext(connections[alias]) for alias in ("default", "replica")}
        for context in self.contexts.values():
            context.__enter__()
        return self

    def __exit__(self, *exc):
        for context in self.contexts.values():
            context.__exit__(*exc)

    def sql(self, alias):
        return [query["sql"] for query in self.contexts[alias].captured_queries]

    def counting(self, alias):
        return [sql for sql in self.sql(alias) if "meetings_meeting" in sql]

    def writes(self, alias):
        return [sql for sql in self.sql(alias) if WRITE.match(sql)]


def test_reports_alias_names_the_replica_only_inside_replica_reads_and_only_when_configured(settings):
    settings.READ_REPLICA = ""
    with replica_reads():
        assert reports_alias() == "default"
    settings.READ_REPLICA = "replica"
    assert reports_alias() == "default"
    with replica_reads():
        assert reports_alias() == "replica"
    assert reports_alias() == "default"


def test_the_api_counts_on_the_replica_and_audits_on_the_primary(replica, two_meetings, bureau, client):
    client.force_login(bureau)
    events = AuditEvent.objects.count()
    with Captured() as captured:
        response = client.get(reverse("api:reports_annual"), {"fy": 2020})
    assert response.status_code == 200
    assert response.json()["meetings"] == {"2020": 2, "2019": 0}  # the two held above
    assert captured.counting("replica") and not captured.counting("default")
    assert captured.writes("replica") == []
    assert any("audit_auditevent" in sql for sql in captured.writes("default"))
    assert AuditEvent.objects.count() == events + 1
    # Who is asking is read on the primary, before the report: a lagging replica cannot revive a closed account.
    assert not [sql for sql in captured.sql("replica") if "django_session" in sql or 'FROM "accounts_user"' in sql]


def test_the_bureau_page_counts_on_the_replica(replica, two_meetings, bureau, client):
    client.force_login(bureau)
    with Captured() as captured:
        response = client.get(reverse("reports:annual"), {"fy": 2020})
    assert response.status_code == 200
    assert response.context["report"].to_json()["meetings"] == {"2020": 2, "2019": 0}
    assert captured.counting("replica") and not captured.counting("default")
    assert captured.writes("replica") == []


def test_the_command_counts_on_the_replica_and_audits_on_the_primary(replica, two_meetings):
    out = StringIO()
    with Captured() as captured:
        call_command("annual_report", "--fy", "2020", "--municipality", two_meetings.name, stdout=out)
    assert '"2020": 2' in out.getvalue()
    assert captured.counting("replica") and not captured.counting("default")
    assert captured.writes("replica") == []
    assert AuditEvent.objects.filter(action=Action.EXPORT, detail__command="annual_report").count() == 1


def test_outside_replica_reads_every_report_read_stays_on_the_primary(replica, two_meetings):
    with Captured() as captured:
        report = annual_report(municipality=two_meetings, fiscal_year=2020)
    assert report.to_json()["meetings"]["2020"] == 2
    assert captured.sql("replica") == [] and captured.counting("default")


def test_a_row_read_from_the_replica_is_written_to_the_primary(replica, kita):
    with replica_reads():
        ward = Ward.objects.get(pk=kita.pk)
    assert ward._state.db == "replica"
    ward.name = "北区（新）"
    with Captured() as captured:
        ward.save(update_fields=["name"])
    assert captured.writes("replica") == [] and captured.writes("default")
    assert Ward.objects.get(pk=kita.pk).name == "北区（新）"


def test_without_a_replica_configured_report_reads_stay_on_the_primary(two_meetings, bureau, client):
    client.force_login(bureau)
    with Captured() as captured:
        assert client.get(reverse("api:reports_annual"), {"fy": 2020}).status_code == 200
    assert captured.sql("replica") == [] and captured.counting("default")
