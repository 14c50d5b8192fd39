"""The writes go through the services: a consultation recorded on a case, and a referral answered."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from cases.models import Consultation
from referrals.models import DeclineReason, ReferralStatus

pytestmark = pytest.mark.django_db


def _consultations(case):
    return reverse("api:case_consultation_create", kwargs={"pk": case.pk})


class TestRecordConsultation:
    def test_the_coordinator_records_a_phone_call(self, api, coordinator_kita, case_kita, kita_houkatsu):
        response = api(coordinator_kita).post(_consultations(case_kita), {
            "method": "phone", "summary": "本人から電話。", "minutes": 15, "agencies": [kita_houkatsu.pk],
            "next_action": "訪問", "next_due_on": timezone.localdate().isoformat()}, format="json")
        assert response.status_code == 201
        body = response.json()
        assert (body["case"]["number"], body["method_label"], body["agencies"][0]["id"]) == (case_kita.number, "電話", kita_houkatsu.pk)
        consultation = Consultation.objects.get(pk=body["id"])
        assert consultation.staff == coordinator_kita
        assert AuditEvent.objects.filter(action=Action.CREATE, object_type="cases.consultation",
                                         object_id=str(consultation.pk)).exists()

    def test_missing_and_wrong_fields_are_named_in_japanese_and_nothing_is_saved(self, api, coordinator_kita, case_kita):
        error = api(coordinator_kita).post(_consultations(case_kita), {"method": "fax", "minutes": 5000, "agencies": [999999]},
                                           format="json").json()["error"]
        assert set(error["fields"]) == {"method", "summary", "minutes", "agencies"}
        assert "この項目は必須です。" in error["fields"]["summary"]
        assert not Consultation.objects.exists()

    def test_a_future_date_is_refused_by_the_service_under_its_field(self, api, coordinator_kita, case_kita):
        future = (timezone.now() + dt.timedelta(days=2)).isoformat()
        response = api(coordinator_kita).post(_consultations(case_kita), {"method": "phone", "summary": "x", "held_at": future},
                                              format="json")
        assert response.status_code == 400
        assert response.json()["error"]["fields"] == {"held_at": ["未来の日時の相談は記録できません。"]}
        assert not Consultation.objects.exists() and not AuditEvent.objects.filter(action=Action.CREATE,
                                                                                   object_type="cases.consultation").exists()

    @pytest.mark.parametrize(("body", "message"), [
        ('{"method": "phone", "summary": "a\\u0000b"}', "NUL 文字（\\x00）は使えません。"),
        ('{"method": "phone", "summary": "a\\ud800b"}', "使えない文字（対になっていないサロゲート文字）が含まれています。"),
        ('{"method": "phone", "summary": ["a"]}', "文字列で入力してください。"),
    ])
    def test_characters_postgresql_cannot_store_are_refused_in_japanese(self, api, coordinator_kita, case_kita, body, message):
        response = api(coordinator_kita).post(_consultations(case_kita), body, content_type="application/json")
        assert response.json()["error"]["fields"] == {"summary": [message]}

    def test_nul_bytes_and_huge_text_are_refused(self, api, coordinator_kita, case_kita):
        client = api(coordinator_kita)
        assert client.post(_consultations(case_kita), {"method": "phone", "summary": "a\x00b"}, format="json").status_code == 400
        assert client.post(_consultations(case_kita), {"method": "phone", "summary": "あ" * 20000}, format="json").status_code == 400
        assert client.post(_consultations(case_kita), {"method": "phone", "summary": "x", "held_at": "0001-01-01T00:00:00+14:00"},
                           format="json").status_code == 400

    @pytest.mark.parametrize(("role", "status"), [("coordinator_nishinari", 404), ("agency_worker", 403),
                                                  ("supervisor", 403), ("bureau", 403)])
    def test_only_the_ward_s_coordinator_may_record(self, api, cast, case_kita, role, status):
        response = api(cast[role]).post(_consultations(case_kita), {"method": "phone", "summary": "x"}, format="json")
        assert response.status_code == status


def _action(referral, action):
    return reverse(f"api:referral_{action}", kwargs={"pk": referral.pk})


class TestAnswerReferral:
    def test_the_receiving_agency_accepts(self, api, agency_worker, referral_kita):
        response = api(agency_worker).post(_action(referral_kita, "accept"), {"note": "対応します。"}, format="json")
        assert response.status_code == 200
        body = response.json()
        assert (body["status"], body["answered_by"]["id"], body["available_actions"]) == ("accepted", agency_worker.pk,
                                                                                         ["start", "complete"])
        referral_kita.refresh_from_db()
        assert referral_kita.status == ReferralStatus.ACCEPTED

    def test_a_decline_needs_a_reason(self, api, agency_worker, referral_kita):
        client = api(agency_worker)
        error = client.post(_action(referral_kita, "decline"), {}, format="json").json()["error"]
        assert error["fields"] == {"decline_reason": ["辞退の理由を選んでください。"]}
        reason = DeclineReason.objects.first()
        body = client.post(_action(referral_kita, "decline"), {"decline_reason": reason.pk, "note": "対象外"}, format="json").json()
        assert (body["status"], body["decline_reason"]["id"]) == ("declined", reason.pk)

    def test_the_second_answer_is_a_conflict_naming_who_answered(self, api, agency_worker, referral_kita):
        client = api(agency_worker)
        client.post(_action(referral_kita, "accept"), {}, format="json")
        response = client.post(_action(referral_kita, "decline"), {"decline_reason": DeclineReason.objects.first().pk},
                               format="json")
        error = response.json()["error"]
        assert (response.status_code, error["code"]) == (409, "conflict")
        assert agency_worker.display_name in error["message"]

    def test_the_sender_may_not_accept_and_the_receiver_may_not_withdraw(self, api, coordinator_kita, agency_worker,
                                                                         referral_kita):
        error = api(coordinator_kita).post(_action(referral_kita, "accept"), {}, format="json").json()["error"]
        assert (error["status"], error["message"]) == (403, "「受理」できるのは依頼先の職員だけです。")
        assert api(agency_worker).post(_action(referral_kita, "withdraw"), {"note": "x"}, format="json").status_code == 403

    def test_the_sender_withdraws_with_a_reason(self, api, coordinator_kita, referral_kita):
        client = api(coordinator_kita)
        assert client.post(_action(referral_kita, "withdraw"), {}, format="json").json()["error"]["fields"] == {
            "note": ["取下げの理由を入力してください。"]}
        assert client.post(_action(referral_kita, "withdraw"), {"note": "本人が転居"}, format="json").json()["status"] == "withdrawn"

    def test_another_ward_gets_404(self, api, coordinator_nishinari, referral_kita):
        assert api(coordinator_nishinari).post(_action(referral_kita, "withdraw"), {"note": "x"}, format="json").status_code == 404
