"""Referral pages: what the receiver sees before and after its answer, the forms, inboxes, badges, the sheet."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from cases import services as case_services
from referrals import services
from referrals.models import DeclineReason, Notification, Referral, ReferralStatus

from .conftest import kind

pytestmark = pytest.mark.django_db

# Each page writes one audit event: 3 queries (chain head, event, head moved on; audit.chain).
# One of them picks the box to open on (the first with something waiting); the page's size comes from the status
# counts, so no count of its own; a page holding both unanswered and answered referrals reads each (one more).
QUERIES_INBOX = 16
QUERIES_DETAIL = 17  # the shared items are read from the copy on the referral, not the case


def _primary(case):
    return case.household.members.get(is_primary=True)


def _page(client, user, referral):
    client.force_login(user)
    return client.get(reverse("referrals:referral_detail", args=[referral.pk]))


class TestWhatTheReceiverSees:
    def test_before_answering_the_receiver_sees_what_is_shared_but_not_the_case(self, client, referral_to_konkyu,
                                                                               konkyu_worker, case_kita):
        response = _page(client, konkyu_worker, referral_to_konkyu)
        page = response.content.decode()
        assert response.status_code == 200
        assert _primary(case_kita).name in page and "経済的困窮" in page  # identity and issues were shared
        assert case_kita.household.members.get(is_primary=False).name not in page  # the household was not
        # An agency opens no case file at all (docs/access-policy.md): the role is refused before any lookup.
        assert client.get(reverse("cases:case_detail", args=[case_kita.pk])).status_code == 403
        assert client.get(reverse("cases:household_detail", args=[case_kita.household_id])).status_code == 403
        event = AuditEvent.objects.filter(action=Action.VIEW, object_type="referrals.referral").latest("pk")
        assert event.user == konkyu_worker and event.detail["shared"] == ["identity", "issues"]

    @pytest.mark.parametrize("ending", ["decline", "withdraw"])
    def test_after_a_decline_or_a_withdrawal_the_receiver_sees_nothing_of_the_person(
            self, client, ending, referral_to_konkyu, konkyu_worker, coordinator_kita, case_kita):
        user, extra = ((konkyu_worker, {"decline_reason": DeclineReason.objects.filter(municipality=None).first()})
                       if ending == "decline" else (coordinator_kita, {"note": "本人が転居"}))
        services.referral_transition(user=user, referral=referral_to_konkyu, action=ending, **extra)
        page = _page(client, konkyu_worker, referral_to_konkyu).content.decode()
        assert _primary(case_kita).name not in page and "経済的困窮" not in page
        assert "閲覧できなくなりました" in page
        # The sender's side still sees the case as before.
        assert _primary(case_kita).name in _page(client, coordinator_kita, referral_to_konkyu).content.decode()

    def test_after_acceptance_the_shared_items_stay_and_after_completion_the_window_closes(
            self, client, referral_to_konkyu, konkyu_worker, case_kita):
        accepted = services.referral_transition(user=konkyu_worker, referral=referral_to_konkyu, action="accept")
        assert _primary(case_kita).name in _page(client, konkyu_worker, referral_to_konkyu).content.decode()
        services.referral_transition(user=konkyu_worker, referral=accepted, action="complete", outcome="支援開始")
        page = _page(client, konkyu_worker, referral_to_konkyu).content.decode()
        assert _primary(case_kita).name not in page and "経済的困窮" not in page and "閲覧できなくなりました" in page

    def test_the_receiver_reads_what_existed_when_it_was_sent_not_the_live_case(
            self, client, referral_to_konkyu, konkyu_worker, case_kita):
        primary = _primary(case_kita)
        sent_name = primary.name
        primary.name = "改名 後子"
        primary.save()
        page = _page(client, konkyu_worker, referral_to_konkyu).content.decode()
        assert sent_name in page and "改名 後子" not in page

    def test_a_withdrawn_consent_ends_what_the_receiver_sees(self, client, referral_to_konkyu, konkyu_worker, coordinator_kita,
                                                             provision_consent, case_kita):
        case_services.consent_withdraw(user=coordinator_kita, consent=provision_consent)
        page = _page(client, konkyu_worker, referral_to_konkyu).content.decode()
        assert _primary(case_kita).name not in page and "同意を撤回" in page

    def test_a_referral_without_personal_details_shows_none(self, client, coordinator_kita, case_kita, kita_konkyu,
                                                            konkyu_worker):
        referral = services.referral_send(user=coordinator_kita, case=case_kita, kind=kind(), reason="相談につなぎたい",
                                          to_agency=kita_konkyu)
        page = _page(client, konkyu_worker, referral).content.decode()
        assert _primary(case_kita).name not in page and "個人情報を含めずに" in page

    @pytest.mark.parametrize("who", ["agency_worker", "coordinator_nishinari", "coordinator_komae", "bureau"])
    def test_parties_outside_the_referral_get_nothing(self, request, client, who, referral_to_konkyu):
        expected = 403 if who == "bureau" else 404
        assert _page(client, request.getfixturevalue(who), referral_to_konkyu).status_code == expected

    def test_the_supervisor_dispatched_to_the_case_reads_it(self, client, referral_to_konkyu, supervisor):
        assert _page(client, supervisor, referral_to_konkyu).status_code == 200

    def test_an_unscoped_query_fails_loudly(self):
        from core.scoping import UnscopedQueryError

        with pytest.raises(UnscopedQueryError):
            list(Referral.objects.all())


class TestForms:
    def test_the_form_says_what_consent_there_is_and_sends(self, client, coordinator_kita, case_kita, kita_konkyu,
                                                          konkyu_worker, provision_consent):
        client.force_login(coordinator_kita)
        url = reverse("referrals:referral_create") + f"?case={case_kita.pk}"
        page = client.get(url).content.decode()
        assert "個人情報を含めずに依頼してください" in page and "✓ 他機関への提供" in page
        response = client.post(url, {"case": case_kita.pk, "kind": kind().pk, "recipient": f"agency:{kita_konkyu.pk}",
                                     "reason": "家計の相談", "shares": ["identity"], "sharing_basis": "consent"})
        referral = Referral.objects.for_user(coordinator_kita).get()
        assert response.status_code == 302 and response.url == reverse("referrals:referral_detail", args=[referral.pk])
        assert referral.consent == provision_consent

    def test_a_refused_send_keeps_what_was_entered_and_saves_nothing(self, client, coordinator_kita, case_kita, kita_konkyu):
        client.force_login(coordinator_kita)
        response = client.post(reverse("referrals:referral_create"), {
            "case": case_kita.pk, "kind": kind().pk, "recipient": f"agency:{kita_konkyu.pk}", "reason": "見守りの依頼",
            "shares": ["identity"], "sharing_basis": "consent"})
        page = response.content.decode()
        assert response.status_code == 400 and "本人の同意がないため" in page and "見守りの依頼" in page
        assert not Referral.all_objects.exists()

    @pytest.mark.parametrize("recipient", ["agency:999999", "ward:abc", "nothing", ""])
    def test_a_recipient_not_on_the_list_is_refused(self, client, coordinator_kita, case_kita, recipient):
        client.force_login(coordinator_kita)
        response = client.post(reverse("referrals:referral_create"), {
            "case": case_kita.pk, "kind": kind().pk, "recipient": recipient, "reason": "依頼"})
        assert response.status_code == 400 and not Referral.all_objects.exists()

    def test_a_case_out_of_scope_is_not_offered(self, client, coordinator_nishinari, case_kita):
        client.force_login(coordinator_nishinari)
        assert client.get(reverse("referrals:referral_create") + f"?case={case_kita.pk}").status_code == 404

    def test_answering_through_the_page(self, client, referral_to_konkyu, konkyu_worker, coordinator_kita):
        client.force_login(konkyu_worker)
        url = reverse("referrals:referral_action", args=[referral_to_konkyu.pk, "accept"])
        assert client.post(url, {"accept-note": "担当します"}).status_code == 302
        response = client.post(reverse("referrals:referral_action", args=[referral_to_konkyu.pk, "complete"]),
                               {"complete-outcome": ""})
        assert response.status_code == 400 and "対応の結果を入力してください" in response.content.decode()
        client.post(reverse("referrals:referral_action", args=[referral_to_konkyu.pk, "complete"]),
                    {"complete-outcome": "家計改善支援を開始"})
        assert Referral.all_objects.get(pk=referral_to_konkyu.pk).status == ReferralStatus.COMPLETED
        client.force_login(coordinator_kita)
        case_page = client.get(reverse("cases:case_detail", args=[referral_to_konkyu.case_id])).content.decode()
        assert "家計改善支援を開始" in case_page

    def test_a_late_second_answer_through_the_page_is_told(self, client, referral_to_konkyu, konkyu_worker, konkyu_worker_2):
        services.referral_transition(user=konkyu_worker, referral=referral_to_konkyu, action="accept")
        client.force_login(konkyu_worker_2)
        reason = DeclineReason.objects.filter(municipality=None).first()
        response = client.post(reverse("referrals:referral_action", args=[referral_to_konkyu.pk, "decline"]),
                               {"decline-decline_reason": reason.pk})
        assert response.status_code == 400 and "困窮" in response.content.decode() and "「受理」にした" in response.content.decode()

    def test_the_wrong_side_gets_403(self, client, referral_to_konkyu, coordinator_kita, konkyu_worker):
        client.force_login(coordinator_kita)
        assert client.post(reverse("referrals:referral_action", args=[referral_to_konkyu.pk, "accept"])).status_code == 403
        client.force_login(konkyu_worker)
        assert client.post(reverse("referrals:referral_action", args=[referral_to_konkyu.pk, "withdraw"])).status_code == 403
        assert client.post(reverse("referrals:referral_action", args=[referral_to_konkyu.pk, "approve"])).status_code == 404

    def test_handing_back_through_the_page(self, client, referral_to_konkyu, konkyu_worker, coordinator_kita):
        services.referral_transition(user=konkyu_worker, referral=referral_to_konkyu, action="accept")
        client.force_login(konkyu_worker)
        response = client.post(reverse("referrals:referral_return", args=[referral_to_konkyu.pk]),
                               {"reason": "就労の課題が中心のため", "sharing_basis": "none"})
        back = Referral.all_objects.get(parent=referral_to_konkyu)
        assert response.status_code == 302 and back.to_ward == coordinator_kita.ward


class TestInboxesAndBadges:
    def test_the_receivers_inbox_dashboard_and_badge(self, client, referral_to_konkyu, konkyu_worker):
        client.force_login(konkyu_worker)
        dashboard = client.get(reverse("home:dashboard")).content.decode()
        assert f'>{referral_to_konkyu.number}</a>' in dashboard and 'class="nav-badge"' in dashboard
        inbox = client.get(reverse("referrals:referral_list")).content.decode()
        assert referral_to_konkyu.number in inbox and "依頼中（1）" in inbox
        services.referral_transition(user=konkyu_worker, referral=referral_to_konkyu, action="accept")
        dashboard = client.get(reverse("home:dashboard")).content.decode()
        assert "回答を待っている依頼はありません" in dashboard

    def test_overdue_rows_come_first_and_in_red(self, client, referral_to_konkyu, coordinator_kita, case_kita, kita_konkyu,
                                               konkyu_worker):
        later = services.referral_send(user=coordinator_kita, case=case_kita, kind=kind(), reason="二件目",
                                       to_agency=kita_konkyu)
        Referral.all_objects.filter(pk=referral_to_konkyu.pk).update(
            sent_on=timezone.localdate() - dt.timedelta(days=10), due_on=timezone.localdate() - dt.timedelta(days=3))
        client.force_login(konkyu_worker)
        page = client.get(reverse("home:dashboard")).content.decode()
        assert page.index(referral_to_konkyu.number) < page.index(later.number)
        assert 'class="overdue-row"' in page and "期限超過" in page

    def test_sent_and_ward_boxes(self, client, referral_to_konkyu, coordinator_kita, konkyu_worker):
        client.force_login(coordinator_kita)
        assert referral_to_konkyu.number in client.get(reverse("referrals:referral_list") + "?box=sent").content.decode()
        assert referral_to_konkyu.number in client.get(reverse("referrals:referral_list") + "?box=ward").content.decode()
        assert referral_to_konkyu.number not in client.get(reverse("referrals:referral_list") + "?box=incoming").content.decode()
        client.force_login(konkyu_worker)
        assert referral_to_konkyu.number not in client.get(reverse("referrals:referral_list") + "?box=sent").content.decode()

    @staticmethod
    def _opened_box(client, user):
        client.force_login(user)
        response = client.get(reverse("referrals:referral_list"))
        page = response.content.decode()
        assert f'<a href="?box={response.context["box"]}" aria-current="page">' in page
        return response.context["box"]

    def test_a_coordinator_with_nothing_received_opens_on_the_wards_referral_in_flight(
            self, client, referral_to_konkyu, coordinator_kita):
        assert self._opened_box(client, coordinator_kita) == "ward"  # not on the empty 受信

    def test_a_sent_referral_overdue_unanswered_is_to_chase_and_opens_before_the_ward(
            self, client, referral_to_konkyu, coordinator_kita):
        today = timezone.localdate()
        Referral.all_objects.filter(pk=referral_to_konkyu.pk).update(
            sent_on=today - dt.timedelta(days=10), due_on=today - dt.timedelta(days=1))
        assert self._opened_box(client, coordinator_kita) == "sent"

    def test_with_nothing_to_act_on_the_list_opens_on_the_first_box_with_anything(
            self, client, referral_to_konkyu, coordinator_kita, konkyu_worker):
        assert self._opened_box(client, konkyu_worker) == "incoming"  # one to answer
        Referral.all_objects.filter(pk=referral_to_konkyu.pk).update(status=ReferralStatus.COMPLETED)
        assert self._opened_box(client, coordinator_kita) == "sent"  # 受信 empty, 区の事例 holds only what is in flight
        client.force_login(coordinator_kita)
        assert client.get(reverse("referrals:referral_list") + "?box=incoming").context["box"] == "incoming"

    def test_the_case_number_links_to_the_case_file_only_for_those_who_may_open_it(
            self, client, referral_to_konkyu, coordinator_kita, supervisor, konkyu_worker):
        case_url = reverse("cases:case_detail", args=[referral_to_konkyu.case_id])
        number = referral_to_konkyu.case.number
        for user in (coordinator_kita, supervisor):  # the case's ward coordinator, the SV dispatched to it
            client.force_login(user)
            page = client.get(reverse("referrals:referral_list") + "?box=ward").content.decode()
            assert f'<a href="{case_url}">{number}</a>' in page
            assert client.get(case_url).status_code == 200
        client.force_login(konkyu_worker)  # an agency worker opens no case file (docs/access-policy.md)
        for url in (reverse("referrals:referral_list"), reverse("home:dashboard")):
            page = client.get(url).content.decode()
            assert number in page and case_url not in page

    def test_another_wards_coordinator_receiving_a_referral_sees_the_case_number_without_a_link(
            self, client, coordinator_kita, coordinator_nishinari, case_kita, nishinari):
        services.referral_send(user=coordinator_kita, case=case_kita, kind=kind(), reason="西成区へ転居予定", to_ward=nishinari)
        case_url = reverse("cases:case_detail", args=[case_kita.pk])
        client.force_login(coordinator_nishinari)
        for url in (reverse("referrals:referral_list"), reverse("home:dashboard")):
            page = client.get(url).content.decode()
            assert case_kita.number in page and case_url not in page
        assert client.get(case_url).status_code == 404

    def test_the_inbox_costs_the_same_queries_for_one_referral_or_twenty(
            self, client, referral_to_konkyu, coordinator_kita, case_kita, kita_konkyu, konkyu_worker, django_assert_num_queries):
        client.force_login(konkyu_worker)
        client.get(reverse("referrals:referral_list"))
        with django_assert_num_queries(QUERIES_INBOX):
            client.get(reverse("referrals:referral_list"))
        for n in range(19):
            services.referral_send(user=coordinator_kita, case=case_kita, kind=kind(), reason=f"依頼{n}", to_agency=kita_konkyu)
        with django_assert_num_queries(QUERIES_INBOX):
            response = client.get(reverse("referrals:referral_list"))
        assert response.content.decode().count("/referrals/") >= 20

    def test_the_inbox_shows_the_unanswered_by_due_date_then_the_rest_newest_first_over_the_pages(
            self, client, referral_to_konkyu, coordinator_kita, case_kita, kita_konkyu, konkyu_worker,
            django_assert_num_queries):
        today = timezone.localdate()
        Referral.all_objects.filter(pk=referral_to_konkyu.pk).update(
            sent_at=timezone.now() - dt.timedelta(days=99), sent_on=today - dt.timedelta(days=99),
            due_on=today + dt.timedelta(days=9))
        others = [services.referral_send(user=coordinator_kita, case=case_kita, kind=kind(), reason=f"依頼{n}",
                                         to_agency=kita_konkyu) for n in range(34)]
        for n, referral in enumerate(others):  # sent one day apart, the newest last; due dates shuffled
            Referral.all_objects.filter(pk=referral.pk).update(
                sent_at=timezone.now() - dt.timedelta(days=60 - n), sent_on=today - dt.timedelta(days=60 - n),
                due_on=today + dt.timedelta(days=10 + (n * 7) % 23))
        overdue, answered = others[:2], others[2:]
        Referral.all_objects.filter(pk=overdue[0].pk).update(due_on=today - dt.timedelta(days=2))
        Referral.all_objects.filter(pk=overdue[1].pk).update(due_on=today - dt.timedelta(days=5))
        Referral.all_objects.filter(pk__in=[r.pk for r in answered]).update(status=ReferralStatus.COMPLETED)
        # Counted by hand: the two overdue (oldest due first), the first still due in nine days, then the 32
        # completed newest first: 35 rows, 30 on the first page.
        expected = [overdue[1].number, overdue[0].number, referral_to_konkyu.number,
                    *[r.number for r in reversed(answered)]]
        client.force_login(konkyu_worker)
        url = reverse("referrals:referral_list") + "?box=incoming"
        # The box is named, so none is looked for (one fewer); this page holds both kinds (one more).
        with django_assert_num_queries(QUERIES_INBOX - 1 + 1):
            first = client.get(url)
        second = client.get(url + "&page=2")
        shown = [r.number for r in first.context["page"].object_list] + [r.number for r in second.context["page"].object_list]
        assert shown == expected
        assert first.context["page"].paginator.count == 35 and "35 件" in first.content.decode()
        with django_assert_num_queries(QUERIES_INBOX - 1):  # only answered ones on this page
            client.get(url + "&page=2")
        done = client.get(url + "&status=completed").context["page"]
        assert [r.number for r in done.object_list] == expected[3:33] and done.paginator.count == 32
        waiting = client.get(url + "&status=sent").context["page"]
        assert [r.number for r in waiting.object_list] == expected[:3]

    def test_the_referral_page_costs_the_same_queries_however_much_it_holds(
            self, client, referral_to_konkyu, konkyu_worker, coordinator_kita, case_kita, django_assert_num_queries):
        from cases.models import IssueCategory

        accepted = services.referral_transition(user=konkyu_worker, referral=referral_to_konkyu, action="accept")
        services.referral_transition(user=konkyu_worker, referral=accepted, action="start", note="訪問予定")
        client.force_login(konkyu_worker)
        url = reverse("referrals:referral_detail", args=[referral_to_konkyu.pk])
        client.get(url)
        with django_assert_num_queries(QUERIES_DETAIL):
            client.get(url)
        for category in IssueCategory.objects.filter(municipality=None).exclude(name="経済的困窮")[:6]:
            case_services.case_issue_add(user=coordinator_kita, case=case_kita, category=category, noted_on=dt.date(2020, 6, 1))
        for n in range(3):
            services.referral_return(user=konkyu_worker, referral=referral_to_konkyu, reason=f"戻し{n}")
        with django_assert_num_queries(QUERIES_DETAIL):
            page = client.get(url).content.decode()
        assert page.count("つなぎ戻し No.") == 3

    def test_the_dashboard_and_notices_cost_the_same_queries_for_one_referral_or_twelve(
            self, client, referral_to_konkyu, coordinator_kita, case_kita, kita_konkyu, konkyu_worker,
            django_assert_num_queries):
        client.force_login(konkyu_worker)
        pages = [reverse("home:dashboard"), reverse("referrals:notification_list")]
        counts = []
        for url in pages:
            client.get(url)
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            counts.append(len(captured.captured_queries))
        for n in range(11):
            services.referral_send(user=coordinator_kita, case=case_kita, kind=kind(), reason=f"依頼{n}", to_agency=kita_konkyu)
        for url, expected in zip(pages, counts, strict=True):
            with django_assert_num_queries(expected):
                page = client.get(url).content.decode()
        assert page.count("未読") >= 12

    def test_notices_are_listed_read_on_opening_and_all_at_once(self, client, referral_to_konkyu, konkyu_worker):
        client.force_login(konkyu_worker)
        page = client.get(reverse("referrals:notification_list")).content.decode()
        assert "から" in page and "未読" in page
        client.get(reverse("referrals:referral_detail", args=[referral_to_konkyu.pk]))
        assert not Notification.objects.filter(user=konkyu_worker, read_at__isnull=True).exists()
        Notification.objects.update(read_at=None)
        assert client.post(reverse("referrals:notification_read_all")).status_code == 302
        assert not Notification.objects.filter(read_at__isnull=True).exists()


class TestSheet:
    def test_the_sheet_prints_what_is_shared_with_a_signature_line_and_is_audited(self, client, referral_to_konkyu,
                                                                                 coordinator_kita, case_kita):
        client.force_login(coordinator_kita)
        page = client.get(reverse("referrals:referral_sheet", args=[referral_to_konkyu.pk])).content.decode()
        assert "つなぐシート" in page and _primary(case_kita).name in page and "氏名（自署）" in page
        assert "取扱注意" in page and "http" not in page.replace("http://www.w3.org", "")
        assert AuditEvent.objects.filter(action=Action.EXPORT, object_type="referrals.referral").exists()


class TestAnAgencyForwarding:
    def test_the_form_offers_only_the_items_the_agency_holds(self, client, agency_worker, case_kita):
        """Its task lets it see the person and the issues: those, and nothing more, are offered."""
        client.force_login(agency_worker)
        page = client.get(reverse("referrals:referral_create") + f"?case={case_kita.pk}").content.decode()
        offered = re.findall(r'name="shares" value="(\w+)"', page)
        assert offered == ["identity", "issues"]
        assert reverse("cases:case_detail", args=[case_kita.pk]) not in page  # it opens no case file


def test_the_form_for_one_case_offers_only_the_meetings_that_discussed_it(client, coordinator_kita, case_kita, kita,
                                                                         kita_konkyu):
    """Not every statutory meeting about any of the ward's cases (thousands in a city): the service takes no other."""
    from tests.factories import HouseholdFactory, HouseholdMemberFactory

    from .test_services import _held_meeting

    household = HouseholdFactory(ward=kita)
    HouseholdMemberFactory(household=household)
    other = case_services.case_open(user=coordinator_kita, household=household, received_on=dt.date(2021, 4, 1),
                                    intake_channel="visit")
    ours, theirs = (_held_meeting(coordinator_kita, c, [kita_konkyu], "支援会議") for c in (case_kita, other))
    client.force_login(coordinator_kita)

    def offered(url):
        form = client.get(url).context["form"]
        return {meeting.pk for meeting in form.fields["basis_meeting"].queryset}

    assert offered(reverse("referrals:referral_create") + f"?case={case_kita.pk}") == {ours.pk}
    assert offered(reverse("referrals:referral_create")) == {ours.pk, theirs.pk}
