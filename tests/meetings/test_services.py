"""Meetings: the legal rules of DOMAIN.md §4, issues as discussed, 役割分担, network agendas, activities."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import Action, AuditEvent
from cases import services as case_services
from cases.models import IssueCategory, RoleAssignment
from cases.selectors import agency_tasks
from core.locking import StaleVersionError
from meetings import services
from meetings.models import Activity, Confidentiality, MeetingBasis, MeetingKind, MeetingStatus
from meetings.selectors import record_initial
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

# DOMAIN.md §4: which bases let a case be discussed without the person's consent.
WITHOUT_CONSENT = ["支援会議", "地域ケア会議", "要保護児童対策地域協議会", "地域ケア会議・要保護児童対策地域協議会の共催"]
ONLY_WITH_CONSENT = ["本人同意（つながる場単独開催）", "重層的支援会議"]
MEETING_DAY = dt.date(2020, 9, 10)


def _at(day, hour=14):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _kind(name="つながる場"):
    return MeetingKind.objects.get(name=name, municipality=None)


def _basis(name):
    return MeetingBasis.objects.get(name=name, municipality=None)


def _schedule(user, ward, case, basis, *, day=MEETING_DAY, agencies=(), kind="つながる場", **extra):
    return services.meeting_schedule(user=user, ward=ward, kind=_kind(kind), basis=_basis(basis), starts_at=_at(day),
                                     agencies=agencies, cases=[case] if case else [], **extra)


def _consent(case, user, *, purpose="meeting", obtained_on=dt.date(2020, 9, 1), agencies=None):
    return case_services.consent_record(
        user=user, member=case.household.members.get(is_primary=True), purpose=purpose, obtained_on=obtained_on,
        method="written", all_agencies=agencies is None, agencies=agencies or (),
    )


def _record(meeting, user, **kwargs):
    meeting.refresh_from_db()
    return services.meeting_record(user=user, meeting=meeting, version=meeting.version, **kwargs)


class TestConsentRule:
    def test_the_standard_bases_are_those_of_domain_section_4(self):
        needs = set(MeetingBasis.objects.filter(municipality=None, requires_consent=True).values_list("name", flat=True))
        free = set(MeetingBasis.objects.filter(municipality=None, requires_consent=False).values_list("name", flat=True))
        assert (needs, free) == (set(ONLY_WITH_CONSENT), set(WITHOUT_CONSENT))

    @pytest.mark.parametrize("basis", WITHOUT_CONSENT)
    def test_a_statutory_basis_discusses_a_case_without_consent(self, basis, coordinator_kita, kita, case_kita):
        meeting = _schedule(coordinator_kita, kita, case_kita, basis)
        discussion = meeting.discussions.get()
        assert (discussion.case, discussion.consent) == (case_kita, None)

    @pytest.mark.parametrize("basis", ONLY_WITH_CONSENT)
    def test_a_consent_basis_refuses_a_case_without_consent_and_says_what_to_do(self, basis, coordinator_kita, kita, case_kita):
        with pytest.raises(ValidationError) as refused:
            _schedule(coordinator_kita, kita, case_kita, basis)
        text = " ".join(refused.value.messages)
        assert f"事例 {case_kita.number} の本人には、開催日（令和2年9月10日）に有効な「つながる場での協議」の同意がありません" in text
        assert "同意を記録してから" in text and "支援会議" in text
        assert not case_kita.discussions.exists()

    @pytest.mark.parametrize("basis", ONLY_WITH_CONSENT)
    def test_a_consent_basis_takes_the_case_once_consent_is_recorded(self, basis, coordinator_kita, kita, case_kita):
        consent = _consent(case_kita, coordinator_kita)
        meeting = _schedule(coordinator_kita, kita, case_kita, basis)
        assert meeting.discussions.get().consent == consent

    @pytest.mark.parametrize(("purpose", "obtained_on", "withdrawn_on"), [
        ("sharing", dt.date(2020, 9, 1), None),  # consent for another purpose
        ("meeting", dt.date(2020, 9, 11), None),  # given only after the meeting day
        ("meeting", dt.date(2020, 8, 1), dt.date(2020, 9, 10)),  # withdrawn on the day
    ])
    def test_consent_must_be_for_meetings_and_valid_on_the_day(self, purpose, obtained_on, withdrawn_on,
                                                               coordinator_kita, kita, case_kita, settings):
        consent = _consent(case_kita, coordinator_kita, purpose=purpose, obtained_on=obtained_on)
        if withdrawn_on:
            case_services.consent_withdraw(user=coordinator_kita, consent=consent, withdrawn_on=withdrawn_on)
        with pytest.raises(ValidationError):
            _schedule(coordinator_kita, kita, case_kita, "本人同意（つながる場単独開催）")

    def test_consent_must_cover_every_agency_invited(self, coordinator_kita, kita, case_kita, kita_houkatsu):
        school = AgencyFactory(ward=kita, name="北区立中学校")
        _consent(case_kita, coordinator_kita, agencies=[kita_houkatsu])
        with pytest.raises(ValidationError) as refused:
            _schedule(coordinator_kita, kita, case_kita, "本人同意（つながる場単独開催）", agencies=[kita_houkatsu, school])
        assert "次の機関を対象に含んでいません：北区立中学校" in " ".join(refused.value.messages)
        assert _schedule(coordinator_kita, kita, case_kita, "本人同意（つながる場単独開催）", agencies=[kita_houkatsu])

    def test_consent_withdrawn_before_the_meeting_stops_the_record(self, coordinator_kita, kita, case_kita):
        consent = _consent(case_kita, coordinator_kita)
        meeting = _schedule(coordinator_kita, kita, case_kita, "重層的支援会議")
        case_services.consent_withdraw(user=coordinator_kita, consent=consent, withdrawn_on=dt.date(2020, 9, 5))
        with pytest.raises(ValidationError):
            _record(meeting, coordinator_kita)
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.SCHEDULED

    def test_an_agency_present_but_outside_the_consent_stops_the_record(self, coordinator_kita, kita, case_kita, kita_houkatsu):
        other = AgencyFactory(ward=kita, name="北区社会福祉協議会")
        _consent(case_kita, coordinator_kita, agencies=[kita_houkatsu])
        meeting = _schedule(coordinator_kita, kita, case_kita, "本人同意（つながる場単独開催）", agencies=[kita_houkatsu])
        with pytest.raises(ValidationError) as refused:
            _record(meeting, coordinator_kita, attended_agencies=[kita_houkatsu, other])
        assert "北区社会福祉協議会" in " ".join(refused.value.messages)

    def test_a_case_discussed_at_a_support_meeting_moves_to_a_jusoteki_meeting_once_consent_arrives(
            self, coordinator_kita, kita, case_kita, kita_houkatsu):
        from meetings.selectors import consent_follow_ups, follow_up_initial

        first = _schedule(coordinator_kita, kita, case_kita, "支援会議", agencies=[kita_houkatsu])
        _record(first, coordinator_kita, attended_agencies=[kita_houkatsu])
        discussions = list(case_kita.discussions.select_related("meeting__basis"))
        assert consent_follow_ups(case=case_kita, discussions=discussions) == []
        with pytest.raises(ValidationError):
            _schedule(coordinator_kita, kita, case_kita, "重層的支援会議", kind="重層的支援会議", day=dt.date(2020, 10, 1))

        _consent(case_kita, coordinator_kita, obtained_on=dt.date(2020, 9, 20))
        follow_up = consent_follow_ups(case=case_kita, discussions=discussions)
        assert [d.meeting for d in follow_up] == [first]
        initial = follow_up_initial(discussion=follow_up[0], municipality_id=case_kita.municipality_id)
        assert (initial["kind"].name, initial["basis"].name, initial["cases"], initial["agencies"]) == (
            "重層的支援会議", "重層的支援会議", [case_kita.pk], [kita_houkatsu.pk])
        second = _schedule(coordinator_kita, kita, case_kita, "重層的支援会議", kind="重層的支援会議",
                           day=dt.date(2020, 10, 1), agencies=[kita_houkatsu])
        assert second.discussions.get().consent is not None


class TestConfidentiality:
    @pytest.mark.parametrize(("basis", "expected"), [
        *[(name, Confidentiality.STATUTORY) for name in WITHOUT_CONSENT],
        *[(name, Confidentiality.AGREEMENT) for name in ONLY_WITH_CONSENT],
    ])
    def test_every_attendee_is_recorded_with_the_confidentiality_of_the_basis(self, basis, expected, coordinator_kita,
                                                                              kita, case_kita, kita_houkatsu):
        _consent(case_kita, coordinator_kita)
        meeting = _schedule(coordinator_kita, kita, case_kita, basis, agencies=[kita_houkatsu])
        _record(meeting, coordinator_kita, attended_agencies=[kita_houkatsu], attendees=[
            {"name": "包括 花子", "agency": kita_houkatsu}, {"name": "区役所 一郎", "is_internal": True},
        ])
        assert list(meeting.attendees.values_list("confidentiality", flat=True)) == [expected, expected]


class TestIssuesAsDiscussed:
    def _issue(self, case, user, name, noted_on, **kwargs):
        return case_services.case_issue_add(user=user, case=case, category=IssueCategory.objects.get(name=name),
                                            noted_on=noted_on, **kwargs)

    def test_the_record_starts_from_the_issues_as_they_stood_on_the_day(self, coordinator_kita, kita, case_kita):
        resolved = self._issue(case_kita, coordinator_kita, "孤立", dt.date(2020, 6, 1))
        case_services.case_issue_resolve(user=coordinator_kita, issue=resolved, resolved_on=dt.date(2020, 8, 1))
        self._issue(case_kita, coordinator_kita, "精神障がい", dt.date(2020, 7, 1), suspected=True)
        self._issue(case_kita, coordinator_kita, "ゴミ屋敷", dt.date(2020, 9, 20))  # noted after the meeting
        meeting = _schedule(coordinator_kita, kita, case_kita, "地域ケア会議")
        discussion = meeting.discussions.get()
        names = {IssueCategory.objects.get(pk=pk).name: suspected
                 for pk, suspected in record_initial(meeting=meeting, discussions=[discussion])[discussion.pk]}
        assert names == {"経済的困窮": False, "精神障がい": True}
        _record(meeting, coordinator_kita)
        assert {(i.category.name, i.suspected) for i in discussion.issues.all()} == {("経済的困窮", False), ("精神障がい", True)}

    def test_the_snapshot_does_not_follow_later_changes_to_the_case(self, coordinator_kita, kita, case_kita):
        meeting = _schedule(coordinator_kita, kita, case_kita, "地域ケア会議")
        hikikomori = IssueCategory.objects.get(name="ひきこもり")
        _record(meeting, coordinator_kita, discussions={case_kita.pk: {"issues": [(hikikomori, False)], "note": "長男の状況"}})
        self._issue(case_kita, coordinator_kita, "認知症", dt.date(2020, 10, 1))
        case_kita.issues.filter(category__name="経済的困窮").delete()
        _record(meeting, coordinator_kita, minutes="追記")  # re-saving the record keeps what was discussed
        discussion = meeting.discussions.get()
        assert [i.category.name for i in discussion.issues.all()] == ["ひきこもり"]
        assert discussion.note == "長男の状況"


class TestRecord:
    def test_role_assignments_become_tasks_the_agency_sees(self, coordinator_kita, kita, case_kita, kita_houkatsu, agency_worker):
        meeting = _schedule(coordinator_kita, kita, case_kita, "地域ケア会議", agencies=[kita_houkatsu])
        _record(meeting, coordinator_kita, attended_agencies=[kita_houkatsu], decisions="見守りを強化", tasks=[
            {"case": case_kita, "agency": kita_houkatsu, "task": "月2回の訪問", "due_on": dt.date(2099, 10, 1)},
        ])
        task = RoleAssignment.objects.get(meeting_link__meeting=meeting)
        assert (task.case, task.agency, task.plan, task.created_by) == (case_kita, kita_houkatsu, case_kita.plans.get(), coordinator_kita)
        assert task in agency_tasks(user=agency_worker)
        meeting.refresh_from_db()
        assert (meeting.status, meeting.decisions) == (MeetingStatus.HELD, "見守りを強化")
        assert meeting.agency_links.get().attended

    def test_a_task_due_before_the_meeting_or_for_a_case_not_discussed_is_refused(
            self, coordinator_kita, kita, case_kita, kita_houkatsu, household_kita):
        meeting = _schedule(coordinator_kita, kita, case_kita, "地域ケア会議")
        other = case_services.case_open(user=coordinator_kita, household=household_kita, received_on=dt.date(2020, 5, 1), intake_channel="phone")
        for task, message in [
            ({"case": case_kita, "agency": kita_houkatsu, "task": "x", "due_on": dt.date(2020, 9, 9)}, "開催日以降"),
            ({"case": other, "agency": kita_houkatsu, "task": "x"}, "協議した事例にだけ"),
        ]:
            with pytest.raises(ValidationError) as refused:
                _record(meeting, coordinator_kita, tasks=[task])
            assert message in refused.value.messages[0]
        assert not RoleAssignment.objects.filter(meeting_link__meeting=meeting).exists()

    def test_uninvited_agencies_that_came_are_added_as_present(self, coordinator_kita, kita, case_kita, kita_houkatsu):
        walk_in = AgencyFactory(ward=kita, name="北区見守り相談室")
        meeting = _schedule(coordinator_kita, kita, case_kita, "支援会議", agencies=[kita_houkatsu])
        _record(meeting, coordinator_kita, attended_agencies=[walk_in])
        links = {link.agency.name: (link.invited, link.attended) for link in meeting.agency_links.select_related("agency")}
        assert links == {kita_houkatsu.name: (True, False), "北区見守り相談室": (False, True)}

    def test_a_meeting_cannot_be_recorded_before_its_day(self, coordinator_kita, kita, case_kita):
        meeting = _schedule(coordinator_kita, kita, case_kita, "支援会議", day=timezone.localdate() + dt.timedelta(days=3))
        with pytest.raises(ValidationError, match="開催日より前"):
            _record(meeting, coordinator_kita)

    def test_a_record_over_someone_elses_is_refused(self, coordinator_kita, kita, case_kita):
        meeting = _schedule(coordinator_kita, kita, case_kita, "支援会議")
        version = meeting.version
        _record(meeting, coordinator_kita, minutes="一人目")
        with pytest.raises(StaleVersionError):
            services.meeting_record(user=coordinator_kita, meeting=meeting, version=version, minutes="二人目")
        meeting.refresh_from_db()
        assert meeting.minutes == "一人目"

    def test_cancelling_needs_a_reason_and_a_cancelled_meeting_takes_no_record(self, coordinator_kita, kita, case_kita):
        meeting = _schedule(coordinator_kita, kita, case_kita, "支援会議")
        with pytest.raises(ValidationError, match="理由"):
            services.meeting_cancel(user=coordinator_kita, meeting=meeting, version=meeting.version, reason=" ")
        services.meeting_cancel(user=coordinator_kita, meeting=meeting, version=meeting.version, reason="本人入院のため")
        with pytest.raises(ValidationError, match="中止"):
            _record(meeting, coordinator_kita)

    def test_every_change_is_audited(self, coordinator_kita, kita, case_kita):
        meeting = _schedule(coordinator_kita, kita, case_kita, "支援会議")
        _record(meeting, coordinator_kita)
        actions = list(AuditEvent.objects.filter(object_type="meetings.meeting").values_list("action", flat=True))
        assert sorted(actions) == [Action.CREATE, Action.UPDATE]


class TestScheduling:
    def test_a_coordinator_convenes_only_in_their_ward_and_only_its_cases(self, coordinator_kita, nishinari, kita, case_kita,
                                                                        household_nishinari, coordinator_nishinari):
        with pytest.raises(ValidationError, match="担当の区"):
            _schedule(coordinator_kita, nishinari, None, "支援会議")
        other = case_services.case_open(user=coordinator_nishinari, household=household_nishinari,
                                        received_on=dt.date(2020, 5, 1), intake_channel="phone")
        with pytest.raises(ValidationError, match="北区の事例ではありません"):
            _schedule(coordinator_kita, kita, other, "支援会議")

    def test_a_case_conference_needs_a_basis_and_a_network_meeting_takes_no_cases(self, coordinator_kita, kita, case_kita):
        with pytest.raises(ValidationError, match="開催根拠を選んで"):
            services.meeting_schedule(user=coordinator_kita, ward=kita, kind=_kind(), starts_at=_at(MEETING_DAY))
        with pytest.raises(ValidationError, match="議題を扱う会議"):
            _schedule(coordinator_kita, kita, case_kita, "支援会議", kind="包括化推進会議")

    def test_the_sv_must_be_a_supervisor_and_dispatched(self, coordinator_kita, kita, case_kita, supervisor, bureau):
        with pytest.raises(ValidationError, match="SV派遣"):
            _schedule(coordinator_kita, kita, case_kita, "支援会議", supervisor=supervisor)
        with pytest.raises(ValidationError, match="スーパーバイザー"):
            _schedule(coordinator_kita, kita, case_kita, "支援会議", sv_dispatched=True, supervisor=bureau)
        meeting = _schedule(coordinator_kita, kita, case_kita, "支援会議", sv_dispatched=True, supervisor=supervisor)
        assert meeting.supervisor == supervisor

    def test_rescheduling_rechecks_consent_and_updates_invitations(self, coordinator_kita, kita, case_kita, kita_houkatsu):
        meeting = _schedule(coordinator_kita, kita, case_kita, "支援会議", agencies=[kita_houkatsu])
        other = AgencyFactory(ward=kita, name="北区生活困窮担当")
        kwargs = {"ward": kita, "kind": _kind(), "starts_at": _at(MEETING_DAY), "agencies": [other], "cases": [case_kita]}
        with pytest.raises(ValidationError, match="同意"):
            services.meeting_reschedule(user=coordinator_kita, meeting=meeting, version=meeting.version,
                                        basis=_basis("本人同意（つながる場単独開催）"), **kwargs)
        updated = services.meeting_reschedule(user=coordinator_kita, meeting=meeting, version=meeting.version,
                                              basis=_basis("地域ケア会議"), **kwargs)
        assert [link.agency for link in updated.agency_links.all()] == [other]
        assert updated.basis.name == "地域ケア会議"


class TestNetworkMeetings:
    def test_agenda_items_are_concluded_or_carried_on(self, coordinator_kita, kita):
        first = services.meeting_schedule(user=coordinator_kita, ward=kita, kind=_kind("包括化推進会議"), starts_at=_at(MEETING_DAY))
        _record(first, coordinator_kita, agenda_items=[
            {"title": "ひきこもり支援の社会資源", "is_continuing": True}, {"title": "相談窓口一覧の作成", "is_concluded": True},
        ])
        carried = first.agenda_items.get(is_continuing=True)
        second = services.meeting_schedule(user=coordinator_kita, ward=kita, kind=_kind("包括化推進会議"),
                                           starts_at=_at(MEETING_DAY + dt.timedelta(days=30)))
        from meetings.selectors import continuing_agenda

        assert list(continuing_agenda(meeting=second)) == [carried]
        _record(second, coordinator_kita, agenda_items=[
            {"title": carried.title, "carried_from": carried.pk, "progress": "居場所を2か所確保", "is_concluded": True},
        ])
        assert list(continuing_agenda(meeting=second)) == []
        assert second.agenda_items.get().carried_from == carried

    def test_an_item_can_only_carry_on_an_item_of_the_same_municipality(self, coordinator_kita, coordinator_komae, komae_area, kita):
        elsewhere = services.meeting_schedule(user=coordinator_komae, ward=komae_area, kind=_kind("包括化推進会議"),
                                              starts_at=_at(MEETING_DAY))
        _record(elsewhere, coordinator_komae, agenda_items=[{"title": "狛江の議題", "is_continuing": True}])
        meeting = services.meeting_schedule(user=coordinator_kita, ward=kita, kind=_kind("包括化推進会議"), starts_at=_at(MEETING_DAY))
        with pytest.raises(ValidationError, match="同じ自治体の議題"):
            _record(meeting, coordinator_kita, agenda_items=[
                {"title": "x", "carried_from": elsewhere.agenda_items.get().pk}])
        assert not meeting.agenda_items.exists()

    def test_an_item_cannot_be_both_concluded_and_continuing(self, coordinator_kita, kita):
        meeting = services.meeting_schedule(user=coordinator_kita, ward=kita, kind=_kind("実務者会議"), starts_at=_at(MEETING_DAY))
        with pytest.raises(ValidationError, match="両方"):
            _record(meeting, coordinator_kita, agenda_items=[{"title": "x", "is_concluded": True, "is_continuing": True}])
        assert not meeting.agenda_items.exists()


class TestActivities:
    @pytest.mark.parametrize(("kind", "missing"), [
        ("liaison", "参加機関数"), ("ward_initiative", "参加機関数"), ("case_review", "検討した事例数"), ("training", "参加者数"),
    ])
    def test_each_kind_needs_the_count_the_report_sums(self, kind, missing, coordinator_kita, kita):
        with pytest.raises(ValidationError, match=missing):
            services.activity_record(user=coordinator_kita, ward=kita, kind=kind, held_on=dt.date(2022, 5, 1))
        assert not Activity.all_objects.exists()

    def test_quick_entry_and_the_ward_line(self, coordinator_kita, kita, nishinari):
        activity = services.activity_record(user=coordinator_kita, ward=kita, kind="publicity", held_on=dt.date(2022, 5, 1))
        assert (activity.ward, activity.municipality_id) == (kita, kita.municipality_id)
        with pytest.raises(ValidationError, match="担当の区"):
            services.activity_record(user=coordinator_kita, ward=nishinari, kind="publicity", held_on=dt.date(2022, 5, 1))
        with pytest.raises(ValidationError, match="未来"):
            services.activity_record(user=coordinator_kita, ward=kita, kind="publicity",
                                     held_on=timezone.localdate() + dt.timedelta(days=1))

    def test_listed_agencies_cannot_outnumber_the_count(self, coordinator_kita, kita, kita_houkatsu):
        other = AgencyFactory(ward=kita, name="北区社会福祉協議会")
        with pytest.raises(ValidationError, match="参加機関数"):
            services.activity_record(user=coordinator_kita, ward=kita, kind="ward_initiative", held_on=dt.date(2022, 5, 1),
                                     agency_count=1, agencies=[kita_houkatsu, other])
        activity = services.activity_record(user=coordinator_kita, ward=kita, kind="ward_initiative",
                                            held_on=dt.date(2022, 5, 1), agencies=[kita_houkatsu, other])
        assert activity.agency_count == 2
