"""本人からの削除請求: filed, approved by two people other than the one who filed it (one of them the
個人情報保護担当), erased on the second approval, with a receipt that names nobody, every step audited."""

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from audit.models import Action, AuditEvent
from cases import services as cases
from cases.models import Case, HouseholdMember
from retention.anonymise import ANONYMISED
from retention.models import ErasureRequest, ErasureStatus
from retention.services import erasure_request_approve, erasure_request_file, erasure_request_reject
from tests.factories import UserFactory
from tests.retention import probe
from tests.retention.scenario import (
    BIRTH,
    KANA,
    NAME,
    NAMES,
    OLD_NAME,
    SPOUSE,
    SPOUSE_BIRTH,
    SPOUSE_KANA,
    old_family,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(coordinator_kita, agency_worker, kita, kita_houkatsu):
    # Closed in 2026: well inside the retention period, so only an erasure request can take it.
    return old_family(coordinator=coordinator_kita, agency_worker=agency_worker, ward=kita, agency=kita_houkatsu,
                      closed_on=dt.date(2026, 10, 1))


@pytest.fixture
def second_admin(osaka):
    return UserFactory(username="admin2", role=Role.ADMINISTRATOR, municipality=osaka, is_staff=True, last_name="副管理")


@pytest.fixture
def filed(family, administrator):
    return erasure_request_file(user=administrator, household=family, received_on=dt.date(2026, 11, 2))


class TestFiling:
    def test_a_request_gets_a_number_per_fiscal_year_and_is_audited(self, family, administrator, auditor, kita, coordinator_kita):
        first = erasure_request_file(user=administrator, household=family, received_on=dt.date(2026, 11, 2))
        erasure_request_reject(user=auditor, erasure=first, reason="本人が取り下げ")
        second = erasure_request_file(user=auditor, household=family, received_on=dt.date(2026, 11, 3))
        assert (first.number, second.number) == ("削除-2026-0001", "削除-2026-0002")
        event = AuditEvent.objects.filter(action=Action.REQUEST).order_by("pk").first()
        assert (event.object_type, event.object_id, event.municipality_id) == ("retention.erasurerequest", str(first.pk),
                                                                             family.municipality_id)

    def test_a_household_with_a_case_not_closed_is_refused_naming_the_case(self, household_kita, case_kita, administrator):
        with pytest.raises(ValidationError, match=case_kita.number):
            erasure_request_file(user=administrator, household=household_kita)
        assert not ErasureRequest.objects.exists()

    def test_only_administrators_and_the_auditor_file_requests(self, family, coordinator_kita, bureau):
        for user in (coordinator_kita, bureau):
            with pytest.raises(ValidationError, match="システム管理者と個人情報保護担当"):
                erasure_request_file(user=user, household=family)

    def test_a_second_open_request_for_the_household_is_refused(self, filed, family, auditor):
        with pytest.raises(ValidationError, match="承認待ち"):
            erasure_request_file(user=auditor, household=family)

    def test_a_member_of_another_household_is_refused(self, family, household_kita, administrator):
        with pytest.raises(ValidationError, match="この世帯の世帯員ではありません"):
            erasure_request_file(user=administrator, household=family, member=household_kita.members.first())


class TestApprovals:
    def test_the_one_who_filed_cannot_approve(self, filed, administrator):
        with pytest.raises(ValidationError, match="受け付けた本人"):
            erasure_request_approve(user=administrator, erasure=filed)

    def test_nobody_approves_twice(self, filed, auditor):
        erasure_request_approve(user=auditor, erasure=filed)
        with pytest.raises(ValidationError, match="すでに承認"):
            erasure_request_approve(user=auditor, erasure=filed)

    def test_two_administrators_are_not_enough_without_the_auditor(self, family, auditor, administrator, second_admin):
        erasure = erasure_request_file(user=auditor, household=family)
        erasure_request_approve(user=administrator, erasure=erasure)
        with pytest.raises(ValidationError, match="個人情報保護担当"):
            erasure_request_approve(user=second_admin, erasure=erasure)
        assert HouseholdMember.objects.filter(name=NAME).exists()

    def test_the_database_refuses_an_approval_by_the_requester_too(self, filed, administrator):
        with pytest.raises(IntegrityError), transaction.atomic():
            ErasureRequest.objects.filter(pk=filed.pk).update(first_approved_by=administrator)

    def test_the_second_approval_erases_the_household_and_everything_is_audited(self, filed, family, auditor, second_admin):
        erasure_request_approve(user=second_admin, erasure=filed)
        assert HouseholdMember.objects.filter(name=NAME).exists()  # one approval erases nothing
        done = erasure_request_approve(user=auditor, erasure=filed)

        assert done.status == ErasureStatus.DONE and done.executed_at is not None
        assert done.erased["members"] == 3 and done.erased["history"] > 0
        assert probe.leftovers(NAMES, dates=[BIRTH, SPOUSE_BIRTH]) == {}
        case = Case.all_objects.get(household=family)
        actions = list(AuditEvent.objects.order_by("pk").filter(action__in=[
            Action.REQUEST, Action.APPROVE, Action.ANONYMISE, Action.REJECT]).values_list("action", "object_type", "object_id"))
        assert actions == [
            (Action.REQUEST, "retention.erasurerequest", str(filed.pk)),
            (Action.APPROVE, "retention.erasurerequest", str(filed.pk)),
            (Action.APPROVE, "retention.erasurerequest", str(filed.pk)),
            (Action.ANONYMISE, "cases.case", str(case.pk)),
            (Action.ANONYMISE, "retention.erasurerequest", str(filed.pk)),
        ]

    def test_a_case_reopened_before_the_second_approval_stops_the_erasure(self, filed, family, auditor, second_admin,
                                                                        coordinator_kita):
        erasure_request_approve(user=second_admin, erasure=filed)
        cases.case_transition(user=coordinator_kita, case=Case.all_objects.get(household=family), action="reopen",
                              reason="再相談")
        with pytest.raises(ValidationError, match="終結していない事例"):
            erasure_request_approve(user=auditor, erasure=filed)
        assert HouseholdMember.objects.filter(name=NAME).exists()

    def test_a_rejected_request_erases_nothing_and_is_closed(self, filed, auditor, second_admin):
        with pytest.raises(ValidationError, match="理由"):
            erasure_request_reject(user=auditor, erasure=filed, reason=" ")
        erasure_request_reject(user=auditor, erasure=filed, reason="本人確認ができない")
        with pytest.raises(ValidationError, match="却下"):
            erasure_request_approve(user=second_admin, erasure=filed)
        assert HouseholdMember.objects.filter(name=NAME).exists()
        assert AuditEvent.objects.filter(action=Action.REJECT, object_id=str(filed.pk)).count() == 1


class TestOneMember:
    def test_only_that_member_goes_and_their_name_is_cut_from_the_familys_text(self, family, administrator, auditor,
                                                                                second_admin):
        spouse = family.members.get(relationship="spouse")
        erasure = erasure_request_file(user=administrator, household=family, member=spouse, note=f"{SPOUSE}さん本人から")
        erasure_request_approve(user=second_admin, erasure=erasure)
        erasure = erasure_request_approve(user=auditor, erasure=erasure)

        assert probe.leftovers([SPOUSE, SPOUSE_KANA, "竜之介", "りゅうのすけ"], dates=[SPOUSE_BIRTH]) == {}
        assert HouseholdMember.objects.get(pk=spouse.pk).name == ANONYMISED
        assert HouseholdMember.objects.filter(name=NAME, name_kana=KANA).exists()  # she did not ask
        assert "鷲尾 雅美" in Case.all_objects.get(household=family).summary
        assert erasure.note == f"{ANONYMISED}さん本人から"
        assert erasure.scope_label == f"世帯 #{family.pk} の世帯員 #{spouse.pk}"


class TestPages:
    def test_filing_finds_the_household_by_case_number_and_shows_no_name(self, client, family, administrator):
        client.force_login(administrator)
        number = Case.all_objects.get(household=family).number
        page = client.get(reverse("retention:request_create"), {"case_number": number}).content.decode()
        assert f"世帯 #{family.pk}" in page and number in page
        assert not [name for name in NAMES if name in page]
        response = client.post(reverse("retention:request_create"), {
            "household": family.pk, "member": "", "ground": "person", "received_on": "令和8年11月2日", "note": ""})
        erasure = ErasureRequest.objects.get()
        assert response.status_code == 302 and response.url == reverse("retention:request_detail", args=[erasure.pk])
        assert (erasure.received_on, erasure.member, erasure.requested_by) == (dt.date(2026, 11, 2), None, administrator)

    def test_an_unknown_case_number_is_explained(self, client, administrator, osaka):
        client.force_login(administrator)
        page = client.get(reverse("retention:request_create"), {"case_number": "R2-9999"}).content.decode()
        assert "この事例番号の事例はありません" in page

    def test_a_refusal_is_shown_on_the_form(self, client, household_kita, case_kita, administrator):
        client.force_login(administrator)
        response = client.post(reverse("retention:request_create"), {
            "household": household_kita.pk, "member": "", "ground": "person", "received_on": "2026-11-02"})
        assert response.status_code == 400 and "終結していない事例" in response.content.decode()

    def test_two_approvals_through_the_pages_then_a_receipt_that_names_nobody(self, client, filed, family, auditor,
                                                                               second_admin):
        for user in (second_admin, auditor):
            client.force_login(user)
            client.post(reverse("retention:request_approve", args=[filed.pk]))
        filed.refresh_from_db()
        assert filed.status == ErasureStatus.DONE
        page = client.get(reverse("retention:receipt", args=[filed.pk])).content.decode()
        assert filed.number in page and auditor.display_name in page and second_admin.display_name in page
        assert "世帯員（氏名・ふりがな・生年月日）" in page
        response = client.get(reverse("retention:receipt_csv", args=[filed.pk]))
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert ["受付番号", filed.number] in rows and ["状況", "消去済み"] in rows
        for text in (page, response.content.decode("utf-8-sig")):
            assert not [name for name in [*NAMES, OLD_NAME] if name in text]

    def test_the_requester_sees_no_approve_button_and_a_post_is_refused(self, client, filed, administrator):
        client.force_login(administrator)
        page = client.get(reverse("retention:request_detail", args=[filed.pk])).content.decode()
        assert "承認する（1人目）" not in page
        client.post(reverse("retention:request_approve", args=[filed.pk]))
        filed.refresh_from_db()
        assert filed.status == ErasureStatus.PENDING

    def test_another_municipalitys_request_is_not_found(self, client, filed, komae):
        outsider = UserFactory(username="komae_admin", role=Role.AUDITOR, municipality=komae)
        client.force_login(outsider)
        assert client.get(reverse("retention:request_detail", args=[filed.pk])).status_code == 404
        assert client.post(reverse("retention:request_approve", args=[filed.pk])).status_code == 404
        assert client.get(reverse("retention:request_list")).context["requests"].count() == 0

    @pytest.mark.parametrize("role", ["coordinator_kita", "supervisor", "agency_worker", "bureau"])
    def test_roles_that_do_not_handle_requests_are_refused(self, client, cast, filed, role):
        client.force_login(cast[role])
        assert client.get(reverse("retention:request_list")).status_code == 403
        assert client.post(reverse("retention:request_approve", args=[filed.pk])).status_code == 403

    def test_the_list_keeps_a_fixed_number_of_queries(self, client, family, administrator, auditor, household_nishinari,
                                                      coordinator_nishinari):
        first = erasure_request_file(user=administrator, household=family)
        erasure_request_approve(user=auditor, erasure=first)
        client.force_login(administrator)
        url = reverse("retention:request_list")
        with CaptureQueriesContext(connection) as one:
            client.get(url)
        case = cases.case_open(user=coordinator_nishinari, household=household_nishinari, received_on=dt.date(2019, 4, 1),
                               intake_channel="phone")
        cases.case_transition(user=coordinator_nishinari, case=case, action="close", reason="終結")
        erasure_request_file(user=auditor, household=household_nishinari)
        with CaptureQueriesContext(connection) as two:
            response = client.get(url)
        # The requests come with their people in one query: a second row costs nothing.
        assert len(response.context["requests"]) == 2 and len(two) == len(one)
        assert sum("retention_erasurerequest" in q["sql"] for q in two.captured_queries) == 1
