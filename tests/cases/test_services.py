import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.models import Action, AuditEvent
from cases import services
from cases.models import Case, CaseStatus, Consent, Household, HouseholdMember, IssueCategory, RoleAssignment
from core.locking import StaleVersionError


def _open(coordinator, household, received_on=dt.date(2020, 5, 12)):
    return services.case_open(user=coordinator, household=household, received_on=received_on, intake_channel="phone")


class TestHouseholds:
    def test_creating_a_household_makes_its_primary_member_and_audits_both(self, coordinator_kita, kita):
        household = services.household_create(
            user=coordinator_kita, ward=kita, address="大阪市北区梅田１丁目２番３号", phone="０６－１２３４－５６７８",
            primary={"name": "梅田 花子", "name_kana": "ウメダ ハナコ", "birth_date": dt.date(1950, 1, 2)},
        )
        primary = household.members.get()
        assert (primary.is_primary, primary.relationship, primary.kana_normalized) == (True, "self", "うめだはなこ")
        assert (household.address_normalized, household.phone_digits) == ("大阪市北区梅田1-2-3", "0612345678")
        assert AuditEvent.objects.filter(action=Action.CREATE).count() == 2

    def test_a_save_over_someone_elses_change_is_refused_and_says_what_changed(self, coordinator_kita, household_kita):
        services.household_update(user=coordinator_kita, household=household_kita, expected_version=1, phone="06-1111-2222")
        with pytest.raises(StaleVersionError) as refused:
            services.household_update(user=coordinator_kita, household=household_kita, expected_version=1, address="別の住所")
        assert "保存しませんでした" in refused.value.messages[0]
        assert refused.value.changes == [{"field": "電話番号", "before": "06-0000-0000", "after": "06-1111-2222"}]
        household_kita.refresh_from_db()
        assert (household_kita.address, household_kita.version) == ("大阪市北区テスト町1-2-3", 2)

    def test_every_change_is_kept_in_the_history(self, coordinator_kita, household_kita):
        services.household_update(user=coordinator_kita, household=household_kita, expected_version=1, phone="06-1")
        services.household_update(user=coordinator_kita, household=household_kita, expected_version=2, phone="06-2")
        assert list(household_kita.history.order_by("history_id").values_list("phone", flat=True)) == [
            "06-0000-0000", "06-1", "06-2"]

    def test_a_member_edit_based_on_an_old_version_is_refused(self, coordinator_kita, household_kita):
        member = household_kita.members.get(is_primary=True)
        services.member_update(user=coordinator_kita, member=member, expected_version=1, care_level="support_1")
        with pytest.raises(StaleVersionError):
            services.member_update(user=coordinator_kita, member=member, expected_version=1, name="北村 一朗")
        member.refresh_from_db()
        assert member.name == "北村 一郎"

    def test_a_household_has_only_one_primary_person(self, household_kita):
        with pytest.raises(IntegrityError), transaction.atomic():
            HouseholdMember(household=household_kita, name="x", name_kana="x", is_primary=True).save()


class TestCaseNumbers:
    def test_numbers_run_per_fiscal_year_and_restart_in_april(self, coordinator_kita, household_kita):
        numbers = [
            _open(coordinator_kita, household_kita, day).number
            for day in (dt.date(2020, 3, 31), dt.date(2020, 4, 1), dt.date(2020, 4, 2), dt.date(2019, 12, 1))
        ]
        assert numbers == ["R元-0001", "R2-0001", "R2-0002", "R元-0002"]

    def test_each_city_numbers_its_own_cases(self, coordinator_kita, household_kita, coordinator_komae, household_komae):
        assert _open(coordinator_kita, household_kita).number == "R2-0001"
        assert _open(coordinator_komae, household_komae).number == "R2-0001"

    def test_a_case_belongs_to_the_ward_of_its_household(self, coordinator_kita, household_kita, kita):
        case = _open(coordinator_kita, household_kita)
        assert (case.ward, case.municipality, case.lead, case.status) == (kita, kita.municipality, coordinator_kita, "received")


class TestStatusFlow:
    def test_a_case_walks_the_whole_flow_and_every_step_is_logged(self, coordinator_kita, household_kita):
        case = _open(coordinator_kita, household_kita)
        for action in ("assess", "plan", "support", "monitor"):
            case = services.case_transition(user=coordinator_kita, case=case, action=action)
        case = services.case_transition(user=coordinator_kita, case=case, action="close", reason="生活が安定した",
                                        on=dt.date(2021, 3, 1))
        assert (case.status, case.closed_on, case.closing_reason) == ("closed", dt.date(2021, 3, 1), "生活が安定した")
        steps = list(case.status_changes.values_list("action", "from_status", "to_status"))
        assert steps == [
            ("open", "", "received"), ("assess", "received", "assessment"), ("plan", "assessment", "planning"),
            ("support", "planning", "supporting"), ("monitor", "supporting", "monitoring"),
            ("close", "monitoring", "closed"),
        ]

    @pytest.mark.parametrize("action", ["support", "monitor", "resume_support", "reopen", "resume"])
    def test_an_illegal_move_is_refused_with_a_japanese_message(self, coordinator_kita, household_kita, action):
        case = _open(coordinator_kita, household_kita)
        with pytest.raises(ValidationError) as refused:
            services.case_transition(user=coordinator_kita, case=case, action=action, reason="r")
        assert "受付" in refused.value.messages[0] and "できません" in refused.value.messages[0]
        case.refresh_from_db()
        assert case.status == "received"
        assert case.status_changes.count() == 1

    @pytest.mark.parametrize("action", ["close", "suspend"])
    def test_closing_or_suspending_needs_a_reason(self, coordinator_kita, household_kita, action):
        case = _open(coordinator_kita, household_kita)
        with pytest.raises(ValidationError, match="理由"):
            services.case_transition(user=coordinator_kita, case=case, action=action, reason="  ")

    def test_resuming_a_suspended_case_returns_it_to_where_it_was(self, coordinator_kita, household_kita):
        case = _open(coordinator_kita, household_kita)
        for action in ("assess", "plan", "support"):
            case = services.case_transition(user=coordinator_kita, case=case, action=action)
        case = services.case_transition(user=coordinator_kita, case=case, action="suspend", reason="連絡が取れない")
        case = services.case_transition(user=coordinator_kita, case=case, action="resume", reason="本人から連絡")
        assert case.status == CaseStatus.SUPPORTING

    def test_closing_a_case_cancels_its_pending_tasks(self, coordinator_kita, case_kita):
        services.case_transition(user=coordinator_kita, case=case_kita, action="close", reason="終了")
        assert list(case_kita.tasks.values_list("status", flat=True)) == ["cancelled"]

    def test_reopening_a_closed_case_clears_its_closing_date(self, coordinator_kita, household_kita):
        case = _open(coordinator_kita, household_kita)
        case = services.case_transition(user=coordinator_kita, case=case, action="close", reason="情報提供のみ")
        case = services.case_transition(user=coordinator_kita, case=case, action="reopen", reason="再度の相談")
        assert (case.status, case.closed_on) == ("assessment", None)


class TestIssuesAndConsultations:
    def test_an_issue_may_be_suspected_only_where_the_category_allows(self, case_kita, coordinator_kita):
        mental = IssueCategory.objects.get(name="精神障がい")
        poverty = IssueCategory.objects.get(name="経済的困窮")
        assert services.case_issue_add(user=coordinator_kita, case=case_kita, category=mental, suspected=True).suspected
        with pytest.raises(ValidationError, match="疑いとして記録できない"):
            services.case_issue_add(user=coordinator_kita, case=case_kita, category=poverty, suspected=True)

    def test_an_issue_tied_to_a_member_of_another_household_is_refused(self, case_kita, coordinator_kita, household_nishinari):
        stranger = household_nishinari.members.get()
        with pytest.raises(ValidationError, match="この世帯の世帯員"):
            services.case_issue_add(user=coordinator_kita, case=case_kita, category=IssueCategory.objects.get(name="孤立"),
                                    member=stranger)

    def test_a_phone_call_is_logged_with_the_time_defaulting_to_now(self, case_kita, coordinator_kita, kita_houkatsu):
        record = services.consultation_record(user=coordinator_kita, case=case_kita, method="phone",
                                              summary="本人から電話。家賃の支払いが心配。", minutes=15, agencies=[kita_houkatsu])
        assert record.staff == coordinator_kita and list(record.agencies.all()) == [kita_houkatsu]
        assert AuditEvent.objects.filter(action=Action.CREATE, object_type="cases.consultation").exists()

    def test_a_due_date_before_the_consultation_is_refused(self, case_kita, coordinator_kita):
        with pytest.raises(ValidationError, match="期限"):
            services.consultation_record(user=coordinator_kita, case=case_kita, method="phone", summary="x",
                                         next_due_on=dt.date(2000, 1, 1))


class TestConsent:
    def test_consent_is_valid_from_the_day_given_until_the_day_withdrawn(self, consent_kita, coordinator_kita):
        assert consent_kita.is_valid_on(dt.date(2020, 5, 20)) and not consent_kita.is_valid_on(dt.date(2020, 5, 19))
        services.consent_withdraw(user=coordinator_kita, consent=consent_kita, withdrawn_on=dt.date(2020, 9, 1))
        assert consent_kita.is_valid_on(dt.date(2020, 8, 31)) and not consent_kita.is_valid_on(dt.date(2020, 9, 1))
        assert consent_kita not in Consent.objects.valid_on(dt.date(2020, 9, 1))

    def test_consent_needs_a_scope(self, case_kita, coordinator_kita):
        with pytest.raises(ValidationError, match="範囲"):
            services.consent_record(user=coordinator_kita, member=case_kita.household.members.first(), purpose="sharing",
                                    obtained_on=dt.date(2020, 5, 1), method="oral")

    def test_consent_limited_to_agencies_covers_only_those(self, case_kita, coordinator_kita, kita_houkatsu, kita):
        from tests.factories import AgencyFactory

        other = AgencyFactory(ward=kita, name="北区別の機関")
        consent = services.consent_record(user=coordinator_kita, member=case_kita.household.members.first(),
                                          purpose="provision", obtained_on=dt.date(2020, 5, 1), method="oral",
                                          agencies=[kita_houkatsu])
        assert consent.covers(kita_houkatsu) and not consent.covers(other)


class TestPlans:
    def test_each_new_plan_is_the_next_version_and_keeps_its_tasks(self, case_kita, coordinator_kita, kita_houkatsu):
        second = services.plan_create(user=coordinator_kita, case=case_kita, kind="revision", goals="再プラン",
                                      decided_on=dt.date(2020, 9, 1),
                                      tasks=[{"agency": kita_houkatsu, "task": "受診同行"}, {"agency": kita_houkatsu, "task": "家計相談"}])
        assert second.version == 2
        assert list(case_kita.plans.values_list("version", flat=True)) == [2, 1]
        assert RoleAssignment.objects.filter(case=case_kita).count() == 3

    def test_a_plan_with_a_bad_task_saves_nothing(self, case_kita, coordinator_kita, kita_houkatsu, kita):
        from tests.factories import AgencyFactory

        uncovered = AgencyFactory(ward=kita, name="北区社会福祉協議会")
        with pytest.raises(ValidationError), transaction.atomic():
            services.plan_create(user=coordinator_kita, case=case_kita, kind="revision", goals="x",
                                 decided_on=dt.date(2020, 9, 1),
                                 tasks=[{"agency": kita_houkatsu, "task": "ok"}, {"agency": uncovered, "task": "同意なし"}])
        assert case_kita.plans.count() == 1 and case_kita.tasks.count() == 1

    def test_a_task_for_an_agency_no_consent_covers_is_refused_saying_what_to_record(self, case_kita, coordinator_kita, kita):
        from tests.factories import AgencyFactory

        other = AgencyFactory(ward=kita, name="北区社会福祉協議会")
        with pytest.raises(ValidationError) as caught:
            services.plan_create(user=coordinator_kita, case=case_kita, kind="revision", goals="x",
                                 decided_on=dt.date(2020, 9, 1), tasks=[{"agency": other, "task": "見守り"}])
        assert {e.code for e in caught.value.error_list} == {"task_consent_missing"}
        message = " ".join(caught.value.messages)
        assert other.name in message and "同意" in message and "記録してから" in message
        assert case_kita.plans.count() == 1

    def test_a_task_under_consent_records_its_basis(self, case_kita):
        task = case_kita.tasks.get()
        assert task.sharing_basis == "consent" and task.consent.purpose == "provision"

    def test_a_task_is_done_with_todays_date(self, case_kita, agency_worker):
        task = case_kita.tasks.get()
        services.task_set_status(user=agency_worker, task=task, status="done")
        task.refresh_from_db()
        assert task.status == "done" and task.completed_on is not None


class TestScoping:
    def test_an_agency_worker_opens_no_case_file_even_with_a_task(self, case_kita, agency_worker):
        """docs/access-policy.md: a task is not a key to the whole file."""
        assert case_kita.tasks.filter(agency=agency_worker.agency).exists()
        assert list(Case.objects.for_user(agency_worker)) == []
        assert list(Household.objects.for_user(agency_worker)) == []

    def test_a_supervisor_sees_only_the_cases_they_are_dispatched_to(self, case_kita, supervisor, coordinator_kita,
                                                                      household_nishinari, coordinator_nishinari):
        _open(coordinator_nishinari, household_nishinari)
        assert list(Case.objects.for_user(supervisor)) == [case_kita]


def test_a_closed_cases_leftover_task_is_not_overdue(case_kita, coordinator_kita):
    from cases.models import Case as CaseModel

    CaseModel.all_objects.filter(pk=case_kita.pk).update(status="closed", closed_on=dt.date(2020, 8, 1))
    assert not RoleAssignment.objects.overdue(dt.date(2030, 1, 1)).exists()
    CaseModel.all_objects.filter(pk=case_kita.pk).update(status="supporting", closed_on=None)
    assert RoleAssignment.objects.overdue(dt.date(2030, 1, 1)).exists()


class TestPlanMovesTheCaseOn:
    def _plan(self, coordinator, case, kind="initial"):
        return services.plan_create(user=coordinator, case=case, kind=kind, goals="生活の立て直し", decided_on=dt.date(2020, 6, 1))

    @pytest.mark.parametrize("path", [(), ("assess",), ("assess", "plan"), ("assess", "plan", "support", "monitor")])
    def test_a_plan_decided_starts_support_and_the_step_is_logged_by_who_decided_it(self, coordinator_kita, household_kita,
                                                                                    path):
        case = _open(coordinator_kita, household_kita)
        for action in path:
            case = services.case_transition(user=coordinator_kita, case=case, action=action)
        before, version = case.status, case.version
        self._plan(coordinator_kita, case, kind="revision" if path else "initial")
        assert (case.status, case.version) == (CaseStatus.SUPPORTING, version + 1)  # the caller's object is current
        case.refresh_from_db()
        assert case.status == CaseStatus.SUPPORTING
        last = case.status_changes.last()
        assert (last.action, last.from_status, last.to_status, last.changed_by) == (
            "plan_decided", before, CaseStatus.SUPPORTING, coordinator_kita)
        assert AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(case.pk), detail__transition="plan_decided").exists()

    def test_a_closing_plan_leaves_the_status_for_the_explicit_close_with_its_reason(self, coordinator_kita, household_kita):
        case = services.case_transition(user=coordinator_kita, case=_open(coordinator_kita, household_kita), action="assess")
        self._plan(coordinator_kita, case, kind="closure")
        case.refresh_from_db()
        assert (case.status, case.status_changes.count()) == (CaseStatus.ASSESSMENT, 2)

    @pytest.mark.parametrize(("action", "status"), [("suspend", CaseStatus.SUSPENDED), ("close", CaseStatus.CLOSED)])
    def test_a_plan_for_a_suspended_or_closed_case_does_not_reopen_it(self, coordinator_kita, household_kita, action, status):
        case = services.case_transition(user=coordinator_kita, case=_open(coordinator_kita, household_kita), action=action,
                                        reason="連絡が取れない")
        self._plan(coordinator_kita, case)
        case.refresh_from_db()
        assert case.status == status
