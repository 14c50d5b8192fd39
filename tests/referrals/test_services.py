"""Referrals: sending, the consent gate, every transition and refusal, notices, つなぎ戻し, the timeline."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import Action, AuditEvent
from cases import services as case_services
from cases.models import Consent
from cases.selectors import case_detail
from referrals import services
from referrals.models import (
    DeclineReason,
    Notification,
    NotificationKind,
    Referral,
    ReferralEvent,
    ReferralStatus,
)
from tests.factories import AgencyFactory, MunicipalityFactory, WardFactory

from .conftest import kind

pytestmark = pytest.mark.django_db


def _send(user, case, **extra):
    values = {"kind": kind(), "reason": "家計の相談につなぎたい。"}
    values.update(extra)
    return services.referral_send(user=user, case=case, **values)


def _reason(name="所管外（対象とならない）"):
    return DeclineReason.objects.get(municipality=None, name=name)


def _refused(code, call, **kwargs):
    before = (Referral.all_objects.count(), ReferralEvent.objects.count(), Notification.objects.count())
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    assert code in [e.code for e in caught.value.error_list], caught.value.messages
    assert (Referral.all_objects.count(), ReferralEvent.objects.count(), Notification.objects.count()) == before
    return " ".join(caught.value.messages)


class TestSend:
    def test_a_referral_is_sent_with_a_due_date_from_its_kind_an_event_an_audit_and_a_notice(
            self, coordinator_kita, case_kita, kita_konkyu, konkyu_worker, konkyu_worker_2, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            referral = _send(coordinator_kita, case_kita, to_agency=kita_konkyu)
        today = timezone.localdate()
        assert referral.status == ReferralStatus.SENT
        assert referral.due_on == today + dt.timedelta(days=7)  # つなぎ: 7 days in the standard master
        assert referral.from_agency is None and referral.from_ward == coordinator_kita.ward
        assert referral.case_ward == case_kita.ward and referral.sent_on == today
        assert list(referral.events.values_list("to_status", flat=True)) == ["sent"]
        assert AuditEvent.objects.filter(action=Action.CREATE, object_type="referrals.referral", object_id=str(referral.pk)).exists()
        notices = Notification.objects.filter(referral=referral, kind=NotificationKind.NEW)
        assert sorted(n.user.username for n in notices) == ["konkyu_worker", "konkyu_worker_2"]
        assert sorted(m.to[0] for m in mail.outbox) == ["konkyu@example.jp", "madoguchi@example.jp"]
        assert f"/referrals/{referral.pk}/" in mail.outbox[0].body
        assert all(n.emailed_at for n in notices)

    def test_notices_and_mails_name_no_resident(self, coordinator_kita, case_kita, kita_konkyu, konkyu_worker,
                                                provision_consent, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            _send(coordinator_kita, case_kita, to_agency=kita_konkyu, shares=["identity"], sharing_basis="consent")
        names = [m.name for m in case_kita.household.members.all()] + [case_kita.household.address]
        texts = [n.message for n in Notification.objects.all()] + [m.subject + m.body for m in mail.outbox]
        assert texts and not [t for t in texts if any(name in t for name in names)]

    def test_the_mail_goes_only_when_the_transaction_commits(self, coordinator_kita, case_kita, kita_konkyu, konkyu_worker,
                                                             django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            _send(coordinator_kita, case_kita, to_agency=kita_konkyu)
        assert mail.outbox == [] and len(callbacks) == 1

    def test_a_due_date_can_be_set_but_not_in_the_past(self, coordinator_kita, case_kita, kita_konkyu):
        later = timezone.localdate() + dt.timedelta(days=3)
        assert _send(coordinator_kita, case_kita, to_agency=kita_konkyu, due_on=later).due_on == later
        message = _refused("due_in_past", _send, user=coordinator_kita, case=case_kita, to_agency=kita_konkyu,
                           due_on=timezone.localdate() - dt.timedelta(days=1))
        assert "回答期限" in message

    def test_a_ward_office_can_be_the_recipient(self, coordinator_kita, case_kita, nishinari, coordinator_nishinari):
        referral = _send(coordinator_kita, case_kita, to_ward=nishinari, kind=kind("つながる場の開催依頼"))
        assert referral.due_on == timezone.localdate() + dt.timedelta(days=14)
        assert referral.recipient_name == "西成区役所（つながる体制推進員）"
        assert Notification.objects.get(referral=referral).user == coordinator_nishinari

    @pytest.mark.parametrize("who, code", [("supervisor", "not_sender"), ("coordinator_nishinari", "case_not_referable"),
                                           ("bureau", "not_sender")])
    def test_who_may_not_send(self, request, who, code, case_kita, kita_konkyu):
        _refused(code, _send, user=request.getfixturevalue(who), case=case_kita, to_agency=kita_konkyu)

    def test_refusals_on_the_recipient_and_the_reason(self, coordinator_kita, case_kita, kita, kita_konkyu):
        other_city = AgencyFactory(ward=WardFactory(municipality=MunicipalityFactory(name="堺市", code="271403")))
        _refused("invalid_recipient", _send, user=coordinator_kita, case=case_kita, to_agency=other_city)
        _refused("to_self", _send, user=coordinator_kita, case=case_kita, to_ward=kita)
        _refused("recipient_required", _send, user=coordinator_kita, case=case_kita)
        _refused("recipient_required", _send, user=coordinator_kita, case=case_kita, to_agency=kita_konkyu, to_ward=kita)
        _refused("reason_required", _send, user=coordinator_kita, case=case_kita, to_agency=kita_konkyu, reason="  ")
        kita_konkyu.is_active = False
        kita_konkyu.save()
        _refused("invalid_recipient", _send, user=coordinator_kita, case=case_kita, to_agency=kita_konkyu)

    def test_a_closed_case_cannot_be_referred(self, coordinator_kita, case_kita, kita_konkyu):
        case_services.case_transition(user=coordinator_kita, case=case_kita, action="close", reason="転居")
        message = _refused("case_not_referable", _send, user=coordinator_kita, case=case_kita, to_agency=kita_konkyu)
        assert case_kita.number in message

    def test_an_agency_worker_sends_from_their_agency_and_not_to_it(self, agency_worker, case_kita, kita_houkatsu, kita_konkyu):
        referral = _send(agency_worker, case_kita, to_agency=kita_konkyu)
        assert referral.from_agency == kita_houkatsu and referral.sender_name == kita_houkatsu.name
        _refused("to_self", _send, user=agency_worker, case=case_kita, to_agency=kita_houkatsu)


class TestConsentGate:
    """Personal information goes only with a consent that covers the receiver, or a statutory basis."""

    def test_without_personal_details_nothing_is_needed(self, coordinator_kita, case_kita, kita_konkyu):
        referral = _send(coordinator_kita, case_kita, to_agency=kita_konkyu)
        assert referral.shares == [] and referral.sharing_basis == "none" and referral.consent is None

    def test_shares_without_a_basis_are_refused_and_say_what_to_do(self, coordinator_kita, case_kita, kita_konkyu):
        message = _refused("basis_required", _send, user=coordinator_kita, case=case_kita, to_agency=kita_konkyu,
                           shares=["identity"], sharing_basis="none")
        assert "個人情報を含めずに依頼" in message

    def test_a_basis_without_shares_is_refused(self, coordinator_kita, case_kita, kita_konkyu, provision_consent):
        _refused("basis_without_shares", _send, user=coordinator_kita, case=case_kita, to_agency=kita_konkyu,
                 sharing_basis="consent")

    def test_consent_naming_the_receiver_is_recorded_on_the_referral(self, coordinator_kita, case_kita, kita_konkyu,
                                                                     provision_consent):
        referral = _send(coordinator_kita, case_kita, to_agency=kita_konkyu, shares=["identity", "issues"],
                         sharing_basis="consent")
        assert referral.consent == provision_consent and referral.shares == ["identity", "issues"]

    def test_no_consent_at_all_is_refused_naming_the_case(self, coordinator_kita, case_kita, kita_konkyu):
        for consent in Consent.objects.filter(member__household=case_kita.household):
            case_services.consent_withdraw(user=coordinator_kita, consent=consent, withdrawn_on=timezone.localdate())
        message = _refused("consent_missing", _send, user=coordinator_kita, case=case_kita, to_agency=kita_konkyu,
                           shares=["identity"], sharing_basis="consent")
        assert case_kita.number in message and "他機関への提供" in message

    def test_consent_that_does_not_name_the_receiver_is_refused(self, coordinator_kita, case_kita, kita, provision_consent):
        other = AgencyFactory(ward=kita, name="北区障がい者相談支援センター")
        message = _refused("consent_missing", _send, user=coordinator_kita, case=case_kita, to_agency=other,
                           shares=["identity"], sharing_basis="consent")
        assert other.name in message

    def test_consent_for_all_agencies_covers_any_receiver(self, coordinator_kita, case_kita, kita_houkatsu, consent_kita):
        referral = _send(coordinator_kita, case_kita, to_agency=kita_houkatsu, shares=["issues"], sharing_basis="consent")
        assert referral.consent == consent_kita  # 情報共有, all agencies

    def test_withdrawn_consent_is_refused(self, coordinator_kita, case_kita, kita_konkyu, provision_consent):
        case_services.consent_withdraw(user=coordinator_kita, consent=provision_consent, withdrawn_on=timezone.localdate())
        _refused("consent_missing", _send, user=coordinator_kita, case=case_kita, to_agency=kita_konkyu,
                 shares=["identity"], sharing_basis="consent")

    def test_consent_for_a_meeting_only_does_not_allow_a_referral(self, coordinator_kita, case_kita, kita_konkyu):
        case_services.consent_record(user=coordinator_kita, member=case_kita.household.members.get(is_primary=True),
                                     purpose="meeting", obtained_on=dt.date(2020, 6, 1), method="oral", all_agencies=True)
        _refused("consent_missing", _send, user=coordinator_kita, case=case_kita, to_agency=kita_konkyu,
                 shares=["identity"], sharing_basis="consent")

    def test_a_ward_office_needs_consent_to_all_agencies(self, coordinator_kita, case_kita, nishinari, provision_consent):
        _refused("consent_missing", _send, user=coordinator_kita, case=case_kita, to_ward=nishinari,
                 shares=["identity"], sharing_basis="consent")

    def test_another_law_needs_its_details(self, coordinator_kita, case_kita, kita_konkyu):
        _refused("basis_note_required", _send, user=coordinator_kita, case=case_kita, to_agency=kita_konkyu,
                 shares=["identity"], sharing_basis="other_law")
        referral = _send(coordinator_kita, case_kita, to_agency=kita_konkyu, shares=["identity"],
                         sharing_basis="other_law", basis_note="生活保護法第29条")
        assert referral.consent is None and referral.basis_note == "生活保護法第29条"

    @pytest.mark.parametrize("basis", ["support_meeting", "care_meeting", "child_council"])
    def test_a_meeting_basis_points_at_the_meeting_not_a_note(self, basis, coordinator_kita, case_kita, kita_konkyu):
        """The issue's attack: 「支援会議」 with any text. Now the basis is a held meeting on a no-consent basis that
        discussed this case with the receiver among its agencies."""
        _refused("basis_meeting_required", _send, user=coordinator_kita, case=case_kita, to_agency=kita_konkyu,
                 shares=["identity"], sharing_basis=basis, basis_note="令和2年9月10日 支援会議で決定")
        meeting = _held_meeting(coordinator_kita, case_kita, [kita_konkyu], "支援会議")
        referral = _send(coordinator_kita, case_kita, to_agency=kita_konkyu, shares=["identity"], sharing_basis=basis,
                         basis_meeting=meeting)
        assert referral.basis_meeting == meeting and referral.consent is None

    def test_a_meeting_that_cannot_be_the_basis_is_refused(self, coordinator_kita, case_kita, kita, kita_konkyu):
        # The receiver was not at the meeting.
        without = _held_meeting(coordinator_kita, case_kita, [AgencyFactory(ward=kita, name="北区社会福祉協議会")], "支援会議")
        _refused("basis_meeting_invalid", _send, user=coordinator_kita, case=case_kita, to_agency=kita_konkyu,
                 shares=["identity"], sharing_basis="support_meeting", basis_meeting=without)
        # A meeting whose basis needs consent decides no sharing without it.
        consent_based = _held_meeting(coordinator_kita, case_kita, [kita_konkyu], "本人同意（つながる場単独開催）",
                                      consent=True)
        _refused("basis_meeting_invalid", _send, user=coordinator_kita, case=case_kita, to_agency=kita_konkyu,
                 shares=["identity"], sharing_basis="support_meeting", basis_meeting=consent_based)

    def test_the_own_ward_basis_is_only_for_the_cases_ward_office(self, agency_worker, case_kita, kita, nishinari):
        referral = _send(agency_worker, case_kita, to_ward=kita, kind=kind("つなぎ戻し"), shares=["issues"],
                         sharing_basis="own_ward")
        assert referral.to_ward == kita
        _refused("own_ward_only", _send, user=agency_worker, case=case_kita, to_ward=nishinari, shares=["issues"],
                 sharing_basis="own_ward")

    def test_an_unknown_shared_item_is_refused(self, coordinator_kita, case_kita, kita_konkyu, provision_consent):
        _refused("invalid_share", _send, user=coordinator_kita, case=case_kita, to_agency=kita_konkyu,
                 shares=["bank_account"], sharing_basis="consent")


def _held_meeting(user, case, agencies, basis_name, *, consent=False):
    """A case meeting of 北区 held yesterday on `basis_name`, that discussed `case` with `agencies` present."""
    from meetings import services as meeting_services
    from meetings.models import MeetingBasis, MeetingKind

    if consent:
        case_services.consent_record(user=user, member=case.household.members.get(is_primary=True), purpose="meeting",
                                     obtained_on=dt.date(2020, 6, 1), method="written", all_agencies=True)
    starts = timezone.now() - dt.timedelta(days=1)
    meeting = meeting_services.meeting_schedule(
        user=user, ward=case.ward, kind=MeetingKind.objects.get(name="つながる場"),
        basis=MeetingBasis.objects.get(municipality=None, name=basis_name), starts_at=starts, agencies=agencies,
        cases=[case])
    return meeting_services.meeting_record(user=user, meeting=meeting, version=meeting.version,
                                           attended_agencies=agencies, minutes="協議", decisions="共有を決定")


class TestWhatASenderMayPassOn:
    """A referral cannot pass on more than its sender may see (docs/access-policy.md)."""

    def test_an_agency_that_got_nothing_personal_cannot_forward_the_file(self, coordinator_kita, case_kita, kita_konkyu,
                                                                         konkyu_worker, kita_houkatsu):
        """The issue's attack: a referral without personal details, accepted, forwarded with all five items under
        「支援会議」 with any text."""
        received = _send(coordinator_kita, case_kita, to_agency=kita_konkyu)
        services.referral_transition(user=konkyu_worker, referral=received, action="accept")
        meeting = _held_meeting(coordinator_kita, case_kita, [kita_houkatsu], "支援会議")
        message = _refused("share_not_held", _send, user=konkyu_worker, case=case_kita, to_agency=kita_houkatsu,
                           shares=["identity", "household", "issues", "consultations", "plan"],
                           sharing_basis="support_meeting", basis_meeting=meeting)
        assert "本人の氏名" in message and "相談の経過" in message

    def test_an_agency_passes_on_the_copy_it_holds_and_nothing_more(self, referral_to_konkyu, konkyu_worker,
                                                                    coordinator_kita, case_kita, kita, kita_houkatsu):
        services.referral_transition(user=konkyu_worker, referral=referral_to_konkyu, action="accept")
        primary = case_kita.household.members.get(is_primary=True)
        held_name = primary.name
        primary.name = "改名 後子"
        primary.save()
        case_services.consent_record(user=coordinator_kita, member=primary, purpose="provision",
                                     obtained_on=dt.date(2020, 6, 1), method="written", agencies=[kita_houkatsu])
        _refused("share_not_held", _send, user=konkyu_worker, case=case_kita, to_agency=kita_houkatsu,
                 shares=["identity", "consultations"], sharing_basis="consent")
        forwarded = _send(konkyu_worker, case_kita, to_agency=kita_houkatsu, shares=["identity"], sharing_basis="consent")
        assert forwarded.snapshot["identity"]["name"] == held_name  # what it held, not the file as it is now

    def test_an_agency_with_an_open_task_may_pass_on_the_task_s_items(self, agency_worker, case_kita, kita,
                                                                      coordinator_kita):
        other = AgencyFactory(ward=kita, name="北区障がい者基幹相談支援センター")
        case_services.consent_record(user=coordinator_kita, member=case_kita.household.members.get(is_primary=True),
                                     purpose="provision", obtained_on=dt.date(2020, 6, 1), method="written",
                                     agencies=[other])
        _refused("share_not_held", _send, user=agency_worker, case=case_kita, to_agency=other,
                 shares=["household"], sharing_basis="consent")
        referral = _send(agency_worker, case_kita, to_agency=other, shares=["identity", "issues"], sharing_basis="consent")
        assert set(referral.snapshot) == {"identity", "issues"}

    def test_the_coordinator_passes_on_a_copy_of_the_file_as_it_stands(self, referral_to_konkyu, case_kita):
        primary = case_kita.household.members.get(is_primary=True)
        assert referral_to_konkyu.snapshot["identity"]["name"] == primary.name
        assert [i["category"] for i in referral_to_konkyu.snapshot["issues"]] == ["経済的困窮"]


def _in_status(status, referral, receiver, sender):
    """Bring a fresh referral to `status` through the services."""
    steps = {
        ReferralStatus.SENT: [],
        ReferralStatus.ACCEPTED: [("accept", receiver)],
        ReferralStatus.IN_PROGRESS: [("accept", receiver), ("start", receiver)],
        ReferralStatus.COMPLETED: [("accept", receiver), ("complete", receiver)],
        ReferralStatus.DECLINED: [("decline", receiver)],
        ReferralStatus.WITHDRAWN: [("withdraw", sender)],
    }[status]
    for action, user in steps:
        referral = services.referral_transition(user=user, referral=referral, action=action, **_args(action))
    return referral


def _args(action):
    return {"decline": {"decline_reason": _reason()}, "complete": {"outcome": "家計改善支援を開始した。"},
            "withdraw": {"note": "本人が転居したため"}}.get(action, {})


LEGAL = {
    ("sent", "accept"), ("sent", "decline"), ("sent", "withdraw"), ("accepted", "start"), ("accepted", "complete"),
    ("in_progress", "complete"),
}


class TestTransitions:
    @pytest.mark.parametrize("status", ReferralStatus.values)
    @pytest.mark.parametrize("action", list(services.ACTIONS))
    def test_every_action_from_every_status(self, status, action, referral_to_konkyu, konkyu_worker, coordinator_kita):
        referral = _in_status(status, referral_to_konkyu, konkyu_worker, coordinator_kita)
        user = coordinator_kita if services.ACTIONS[action].side == "sender" else konkyu_worker
        if (status, action) in LEGAL:
            done = services.referral_transition(user=user, referral=referral, action=action, **_args(action))
            assert done.status == services.ACTIONS[action].target
            assert done.events.last().action == action
        else:
            events = ReferralEvent.objects.count()
            with pytest.raises(ValidationError) as caught:
                services.referral_transition(user=user, referral=referral, action=action, **_args(action))
            assert caught.value.code in ("illegal_move", "already_answered")
            assert ReferralEvent.objects.count() == events
            referral.refresh_from_db()
            assert referral.status == status

    def test_an_answer_records_who_and_when_and_ends_with_closed_at(self, referral_to_konkyu, konkyu_worker):
        accepted = services.referral_transition(user=konkyu_worker, referral=referral_to_konkyu, action="accept", note="担当 困窮")
        assert accepted.answered_by == konkyu_worker and accepted.answered_at and accepted.closed_at is None
        done = services.referral_transition(user=konkyu_worker, referral=accepted, action="complete", outcome="支援開始")
        assert done.closed_at and done.outcome == "支援開始"

    @pytest.mark.parametrize("action, who", [("accept", "coordinator_kita"), ("decline", "agency_worker"),
                                             ("withdraw", "konkyu_worker"), ("withdraw", "coordinator_nishinari")])
    def test_only_the_right_side_may_act(self, request, action, who, referral_to_konkyu):
        message = _refused("wrong_side", services.referral_transition, user=request.getfixturevalue(who),
                           referral=referral_to_konkyu, action=action, **_args(action))
        assert "だけです" in message

    def test_a_decline_needs_a_reason_from_the_list(self, referral_to_konkyu, konkyu_worker):
        _refused("decline_reason_required", services.referral_transition, user=konkyu_worker, referral=referral_to_konkyu,
                 action="decline")
        other = DeclineReason.objects.create(municipality=MunicipalityFactory(name="堺市", code="271403"), name="別の市の理由")
        _refused("invalid_decline_reason", services.referral_transition, user=konkyu_worker, referral=referral_to_konkyu,
                 action="decline", decline_reason=other)

    def test_completing_needs_the_outcome_and_withdrawing_a_reason(self, referral_to_konkyu, konkyu_worker, coordinator_kita):
        _refused("withdraw_reason_required", services.referral_transition, user=coordinator_kita,
                 referral=referral_to_konkyu, action="withdraw")
        accepted = services.referral_transition(user=konkyu_worker, referral=referral_to_konkyu, action="accept")
        _refused("outcome_required", services.referral_transition, user=konkyu_worker, referral=accepted,
                 action="complete", outcome=" ")

    def test_an_unknown_action_is_refused(self, referral_to_konkyu, konkyu_worker):
        _refused("unknown_action", services.referral_transition, user=konkyu_worker, referral=referral_to_konkyu,
                 action="approve")

    def test_a_second_answer_is_told_who_answered_first(self, referral_to_konkyu, konkyu_worker, konkyu_worker_2):
        services.referral_transition(user=konkyu_worker, referral=referral_to_konkyu, action="accept")
        stale = Referral.all_objects.get(pk=referral_to_konkyu.pk)
        stale.status = ReferralStatus.SENT  # what the second person's page still shows
        message = _refused("already_answered", services.referral_transition, user=konkyu_worker_2, referral=stale,
                           action="decline", decline_reason=_reason())
        assert "困窮" in message and "受理" in message


class TestNoticesOnAnswers:
    def test_answers_go_to_the_sender_and_the_case_lead(self, referral_to_konkyu, konkyu_worker, coordinator_kita):
        services.referral_transition(user=konkyu_worker, referral=referral_to_konkyu, action="decline",
                                     decline_reason=_reason())
        notice = Notification.objects.get(kind=NotificationKind.DECLINED)
        assert notice.user == coordinator_kita and "辞退" in notice.message

    def test_a_withdrawal_goes_to_the_receivers(self, referral_to_konkyu, coordinator_kita, konkyu_worker):
        services.referral_transition(user=coordinator_kita, referral=referral_to_konkyu, action="withdraw", note="転居")
        assert Notification.objects.get(kind=NotificationKind.WITHDRAWN).user == konkyu_worker


class TestReturnAndTimeline:
    def test_the_outcome_is_written_to_the_case_timeline(self, referral_to_konkyu, konkyu_worker, case_kita):
        accepted = services.referral_transition(user=konkyu_worker, referral=referral_to_konkyu, action="accept")
        services.referral_transition(user=konkyu_worker, referral=accepted, action="complete",
                                     outcome="家計改善支援の利用を開始した。")
        entries = [e for e in case_detail(case=case_kita)["timeline"] if e.kind == "referral"]
        assert [e.title for e in entries] == [f"つなぎ（No.{referral_to_konkyu.pk}）完了",
                                              f"つなぎ（No.{referral_to_konkyu.pk}）受理",
                                              f"つなぎ（No.{referral_to_konkyu.pk}）依頼"]
        assert "家計改善支援の利用を開始した。" in entries[0].body and entries[0].by == konkyu_worker.display_name

    def test_a_receiver_hands_the_case_back_to_the_ward_office(self, referral_to_konkyu, konkyu_worker, coordinator_kita, kita):
        accepted = services.referral_transition(user=konkyu_worker, referral=referral_to_konkyu, action="accept")
        back = services.referral_return(user=konkyu_worker, referral=accepted, reason="困窮以外の課題が大きいため")
        assert back.parent == accepted and back.to_ward == kita and back.kind.name == "つなぎ戻し"
        assert back.from_agency == konkyu_worker.agency
        assert list(Referral.objects.for_user(coordinator_kita).addressed_to(coordinator_kita)) == [back]

    def test_only_an_accepted_referral_can_be_handed_back(self, referral_to_konkyu, konkyu_worker):
        _refused("return_not_allowed", services.referral_return, user=konkyu_worker, referral=referral_to_konkyu,
                 reason="戻したい")

    def test_an_agency_holding_a_referral_may_pass_the_case_on(self, referral_to_konkyu, konkyu_worker, kita_houkatsu,
                                                              case_kita):
        _refused("case_not_referable", _send, user=konkyu_worker, case=case_kita, to_agency=kita_houkatsu)
        services.referral_transition(user=konkyu_worker, referral=referral_to_konkyu, action="accept")
        assert _send(konkyu_worker, case_kita, to_agency=kita_houkatsu).from_agency == konkyu_worker.agency


def test_the_household_copy_names_each_member_s_relationship_and_support_but_not_their_name(
        coordinator_kita, case_kita, kita_konkyu, provision_consent):
    spouse = case_kita.household.members.get(is_primary=False)
    spouse.care_level = "care_2"
    spouse.save()
    referral = _send(coordinator_kita, case_kita, to_agency=kita_konkyu, shares=["household"], sharing_basis="consent")
    copy = {row["relationship"]: row for row in referral.snapshot["household"]}
    assert copy["配偶者"]["notes"] == ["要介護2"]
    assert spouse.name not in str(referral.snapshot)
