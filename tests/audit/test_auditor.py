"""What the auditor sees (#15): failed sign-ins and lockouts, the trail as CSV, who looked at a record (lists and
searches too), and the events of commands run without --user, each in its municipality's trail."""

import csv
import io
from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from accounts.models import Role
from audit.models import Action, AuditEvent
from audit.services import audit_record
from tests.factories import UserFactory

LIST = reverse("audit:event_list")
EXPORT = reverse("audit:event_export")


def _shown(client, **params):
    return [(e.action, e.username) for e in client.get(LIST, params).context["page"].object_list]


class TestSignInFailures:
    def test_the_auditor_sees_failed_sign_ins_and_the_lockout_of_their_city_s_user(self, client, coordinator_kita,
                                                                                    coordinator_komae, auditor, settings):
        settings.AXES_FAILURE_LIMIT = 2
        login = reverse("accounts:login")
        for _ in range(3):
            client.post(login, {"username": "kita_coordinator", "password": "wrong"})
        events = AuditEvent.objects.filter(action__in=[Action.LOGIN_FAILED, Action.LOCKED_OUT])
        assert {e.action for e in events} == {Action.LOGIN_FAILED, Action.LOCKED_OUT}
        assert {e.municipality_id for e in events} == {coordinator_kita.municipality_id}
        client.force_login(auditor)
        shown = _shown(client, username="kita_coordinator")
        assert (Action.LOGIN_FAILED, "kita_coordinator") in shown and (Action.LOCKED_OUT, "kita_coordinator") in shown

    def test_a_name_that_is_no_one_s_is_shown_to_the_auditor_of_every_city(self, client, auditor, komae):
        client.post(reverse("accounts:login"), {"username": "no_such_user", "password": "x"})
        assert AuditEvent.objects.get(action=Action.LOGIN_FAILED).municipality is None  # two cities: whose?
        komae_auditor = UserFactory(username="komae_auditor", role=Role.AUDITOR, municipality=komae)
        for reader in (auditor, komae_auditor):
            client.force_login(reader)
            assert _shown(client, action=Action.LOGIN_FAILED) == [(Action.LOGIN_FAILED, "no_such_user")]

    def test_with_one_city_a_name_that_is_no_one_s_is_that_city_s(self, client, osaka):
        client.post(reverse("accounts:login"), {"username": "no_such_user", "password": "x"})
        assert AuditEvent.objects.get(action=Action.LOGIN_FAILED).municipality == osaka

    def test_other_events_without_a_city_stay_out_of_the_auditor_s_view(self, client, auditor):
        audit_record(action=Action.EXPORT, username="someone")  # no municipality, not a sign-in
        client.force_login(auditor)
        assert _shown(client, action=Action.EXPORT) == []


class TestExport:
    def _rows(self, response):
        body = b"".join(response.streaming_content)
        assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads the Japanese
        return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))

    def test_the_auditor_downloads_the_filtered_trail_with_formulas_neutralised(self, client, auditor, coordinator_kita,
                                                                                coordinator_komae, household_kita):
        audit_record(action=Action.VIEW, user=coordinator_kita, obj=household_kita)
        audit_record(action=Action.VIEW, user=coordinator_komae)
        client.post(reverse("accounts:login"), {"username": "=HYPERLINK(\"http://x\")", "password": "x"})
        client.force_login(auditor)
        response = client.get(EXPORT)
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment" in response["Content-Disposition"]
        header, *rows = self._rows(response)
        assert header[:3] == ["日時", "ログインID", "操作"] and header[-3:] == ["チェーン", "連番", "ハッシュ"]
        usernames = [row[1] for row in rows]
        assert "kita_coordinator" in usernames and "komae_coordinator" not in usernames
        assert "'=HYPERLINK(\"http://x\")" in usernames  # a text, not a live formula
        viewed = next(row for row in rows if row[2] == "閲覧")
        assert viewed[3:6] == ["cases.household", str(household_kita.pk), f"世帯 #{household_kita.pk}"]
        assert len(viewed[-1]) == 64

    def test_the_export_follows_the_filters_and_is_itself_audited(self, client, auditor, coordinator_kita, household_kita):
        audit_record(action=Action.VIEW, user=coordinator_kita, obj=household_kita)
        audit_record(action=Action.LOGIN, user=coordinator_kita)
        client.force_login(auditor)
        rows = self._rows(client.get(EXPORT, {"action": Action.VIEW}))[1:]
        assert [row[2] for row in rows] == ["閲覧"]
        event = AuditEvent.objects.get(action=Action.EXPORT)
        assert (event.user, event.municipality) == (auditor, auditor.municipality)
        assert event.detail == {"export": "audit", "format": "csv", "filters": {"action": "view"}}

    def test_only_the_auditor_may_download_the_trail(self, client, coordinator_kita, administrator):
        for user in (coordinator_kita, administrator):
            client.force_login(user)
            assert client.get(EXPORT).status_code == 403

    def test_the_list_page_offers_the_download_with_its_filters(self, client, auditor):
        client.force_login(auditor)
        assert f'href="{EXPORT}?action=view"' in client.get(LIST, {"action": "view"}).content.decode()


def test_who_looked_at_a_household_answers_for_the_list_the_search_and_the_page(client, coordinator_kita, auditor,
                                                                               household_kita):
    other = household_kita.__class__.all_objects.create(municipality=household_kita.municipality, ward=household_kita.ward,
                                                        address="大阪市北区べつの町")
    client.force_login(coordinator_kita)
    client.get(reverse("cases:household_list"))  # both households listed
    found = client.post(reverse("cases:household_list"), {"q": "きたむら"}, follow=True)  # the search finds this one
    assert [h.pk for h in found.context["page"].object_list] == [household_kita.pk]
    client.post(reverse("cases:household_list"), {"q": "べつの町"}, follow=True)  # a search that shows only the other
    client.get(reverse("cases:household_detail", args=[household_kita.pk]))
    client.force_login(auditor)
    looked = client.get(LIST, {"object_type": "cases.household", "object_id": household_kita.pk}).context["page"]
    kinds = [(e.action, e.username, bool(e.detail.get("search"))) for e in looked.object_list]
    assert kinds == [(Action.VIEW, "kita_coordinator", False), (Action.LIST, "kita_coordinator", True),
                     (Action.LIST, "kita_coordinator", False)]
    assert "（検索結果）" in client.get(LIST, {"object_type": "cases.household", "object_id": household_kita.pk}).content.decode()
    shown_other = client.get(LIST, {"object_type": "cases.household", "object_id": other.pk}).context["page"]
    assert len(shown_other.object_list) == 2  # the first list and the other search


class TestCommands:
    def test_a_ledger_exported_without_user_is_in_its_city_s_trail(self, osaka, tmp_path):
        call_command("export_ledger", "--municipality", "大阪市", "-o", str(tmp_path / "台帳.csv"), stdout=StringIO())
        event = AuditEvent.objects.get(action=Action.EXPORT)
        assert (event.user, event.municipality) == (None, osaka)

    def test_an_annual_report_exported_from_the_command_line_is_audited_in_its_city(self, osaka, komae, tmp_path):
        call_command("annual_report", "--fy", "2020", "--municipality", "狛江市", "--format", "csv",
                     "--output", str(tmp_path / "年次.csv"), stderr=StringIO())
        event = AuditEvent.objects.get(action=Action.EXPORT)
        assert (event.user, event.municipality) == (None, komae)
        assert event.detail["command"] == "annual_report" and event.detail["fy"] == 2020
