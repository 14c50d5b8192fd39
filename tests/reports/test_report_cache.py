"""The cached yearly counts (reports.counts) are never stale, whatever writes the data.

Each test reads the report first (the counts are then cached), writes through one path, and checks the report
against figures counted by hand from the data the test built. The cache is really used: the second read of an
unchanged year runs no counting statement.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, AgencyCategory
from cases import services as case_services
from cases.models import Case, IssueCategory
from ledger.importer import import_ledger
from ledger.parsing import LedgerFile
from meetings import services
from meetings.models import Meeting, MeetingAgency, MeetingCase, MeetingCaseIssue, MeetingKind
from reports.annual import Source, annual_report, ward_comparison
from reports.layouts import layout_copy_default, layout_for
from reports.models import AnnualCounts, LayoutTable
from tests.factories import HouseholdFactory, HouseholdMemberFactory
from tests.reports.test_annual import held

pytestmark = pytest.mark.django_db


def report(municipality, fy=2020, compare=None, ward=None, layout=None):
    kwargs = {"layout": layout} if layout is not None else {}
    return annual_report(municipality=municipality, fiscal_year=fy, compare=compare, ward=ward, **kwargs).to_json()


def counts(report_json, table, year="2020"):
    """{row label: count} of one table and year."""
    return {row["label"]: row["counts"][year] for row in report_json["tables"][table]}


def counting(queries) -> list[str]:
    """The statements that counted meetings (rather than read the cache or a master)."""
    return [q["sql"] for q in queries if "meetings_meetingcase" in q["sql"]]


def warm(municipality, **kwargs):
    """Read the report twice: the second read comes from the cache (no counting statement)."""
    first = report(municipality, **kwargs)
    with CaptureQueriesContext(connection) as queries:
        assert report(municipality, **kwargs) == first
    assert counting(queries) == []
    return first


@pytest.fixture
def city(kita):
    return kita.municipality


@pytest.fixture
def meeting(coordinator_kita, kita):
    """FY2020 in 北区: one case referred by 地域包括支援センター, 地域包括支援センター and 警察 present,
    issues 精神障がい and 孤立."""
    return held(coordinator_kita, kita, attended=("地域包括支援センター", "警察"), issues=("精神障がい", "孤立"))


class TestTheCacheIsUsed:
    def test_a_second_read_runs_no_counting_statement_and_a_first_read_one_a_year(self, city, meeting):
        with CaptureQueriesContext(connection) as cold:
            first = report(city)
        assert len(counting(cold)) == 2  # the year reported and the year compared
        with CaptureQueriesContext(connection) as hot:
            assert report(city) == first
        assert counting(hot) == []
        assert set(AnnualCounts.objects.filter(municipality=city).values_list("fiscal_year", flat=True)) == {2019, 2020}

    def test_the_page_its_ward_comparison_and_a_publication_read_each_year_once(self, city, meeting):
        source = Source(city)
        with CaptureQueriesContext(connection) as queries:
            annual_report(municipality=city, fiscal_year=2020, source=source)
            ward_comparison(municipality=city, fiscal_year=2020, source=source)
            ward_comparison(municipality=city, fiscal_year=2019, source=source)
        assert len(counting(queries)) == 2  # one statement a year, nothing counted again
        # the cached years (none yet), the two statements that count and store them, the three masters, the wards
        assert len(queries) == 7


class TestEveryWritePath:
    def test_a_meeting_recorded_through_the_services(self, city, coordinator_kita, kita, meeting):
        assert warm(city)["meetings"] == {"2020": 1, "2019": 0}
        held(coordinator_kita, kita, basis="支援会議", referrer="生活困窮担当", attended=("生活困窮担当",), issues=("孤立",))
        after = report(city)
        assert after["meetings"] == {"2020": 2, "2019": 0}
        assert counts(after, "basis")["支援会議"] == 1 and counts(after, "basis")["地域ケア会議"] == 1
        assert counts(after, "participants")["計"] == 3 and counts(after, "issues")["孤立"] == 2

    def test_a_meeting_edited_in_the_admin(self, city, meeting):
        warm(city)
        meeting.sv_dispatched = True
        meeting.save()
        assert counts(report(city), "sv") == {"無": 0, "有": 1, "計": 1}

    def test_a_meeting_deleted(self, city, meeting):
        warm(city)
        Meeting.all_objects.get(pk=meeting.pk).delete()
        after = report(city)
        assert after["meetings"]["2020"] == 0 and counts(after, "participants")["計"] == 0

    def test_a_meeting_moved_to_another_fiscal_year_changes_both(self, city, meeting):
        assert warm(city)["meetings"] == {"2020": 1, "2019": 0}
        meeting.starts_at = timezone.make_aware(dt.datetime(2020, 3, 31, 10))  # FY2019's last day
        meeting.save()
        assert report(city)["meetings"] == {"2020": 0, "2019": 1}
        assert report(city, fy=2019)["meetings"] == {"2019": 1, "2018": 0}

    def test_a_ward_changed_moves_the_meeting_between_ward_reports(self, city, kita, nishinari, meeting):
        assert warm(city, ward=nishinari)["meetings"]["2020"] == 0
        Meeting.all_objects.filter(pk=meeting.pk).update(ward=nishinari)
        assert report(city, ward=nishinari)["meetings"]["2020"] == 1
        assert report(city, ward=kita)["meetings"]["2020"] == 0

    def test_a_discussed_case_added_and_removed(self, city, coordinator_kita, kita, meeting):
        warm(city)
        household = HouseholdFactory(ward=kita)
        HouseholdMemberFactory(household=household)
        other = case_services.case_open(user=coordinator_kita, household=household, received_on=dt.date(2020, 5, 1),
                                        intake_channel="agency",
                                        referring_category=AgencyCategory.objects.get(municipality=None, name="見守り相談室"))
        discussion = MeetingCase.objects.create(meeting=meeting, case=other)
        after = report(city)
        # Two cases at one meeting: two discussions; each attended agency counted once per case.
        assert after["meetings"]["2020"] == 2 and counts(after, "referrer")["見守り相談室"] == 1
        assert counts(after, "participants")["計"] == 4
        discussion.delete()
        after = report(city)
        assert after["meetings"]["2020"] == 1 and counts(after, "participants")["計"] == 2

    def test_attendance_toggled_through_the_services(self, city, coordinator_kita, meeting):
        warm(city)
        meeting.refresh_from_db()
        police = Agency.objects.get(meeting_links__meeting=meeting, category__name="警察")
        services.meeting_record(user=coordinator_kita, meeting=meeting, version=meeting.version, attended_agencies=[police])
        after = report(city)
        assert counts(after, "participants")["計"] == 1 and counts(after, "participants")["地域包括支援センター"] == 0
        MeetingAgency.objects.filter(meeting=meeting).update(attended=True)  # and back, by a queryset update
        assert counts(report(city), "participants")["計"] == 2

    def test_issues_added_and_removed_through_the_services(self, city, coordinator_kita, meeting):
        warm(city)
        meeting.refresh_from_db()
        case = meeting.discussions.get().case
        services.meeting_record(user=coordinator_kita, meeting=meeting, version=meeting.version, discussions={
            case.pk: {"issues": [(IssueCategory.objects.get(municipality=None, name=n), False) for n in ("ゴミ屋敷", "認知症", "孤立")],
                      "note": ""}})
        after = counts(report(city), "issues")
        assert (after["ゴミ屋敷"], after["認知症"], after["孤立"], after["精神障がい（疑い含む）"], after["計"]) == (1, 1, 1, 0, 3)
        MeetingCaseIssue.objects.filter(discussion__meeting=meeting, category__name="認知症").delete()
        assert counts(report(city), "issues")["計"] == 2

    def test_a_meeting_kind_taken_out_of_the_tables_and_back(self, city, meeting):
        warm(city)
        kind = MeetingKind.objects.get(municipality=None, name="つながる場")
        kind.in_annual_tables = False
        kind.save()
        assert report(city)["meetings"]["2020"] == 0
        MeetingKind.objects.filter(pk=kind.pk).update(in_annual_tables=True)
        assert report(city)["meetings"]["2020"] == 1

    def test_an_agency_moved_to_another_category(self, city, meeting):
        warm(city)
        police = Agency.objects.get(meeting_links__meeting=meeting, category__name="警察")
        police.category = AgencyCategory.objects.get(municipality=None, name="生活困窮担当")
        police.save()
        after = counts(report(city), "participants")
        assert (after["生活困窮担当"], after["その他"], after["計"]) == (1, 0, 2)

    def test_a_cases_referring_category_changed_through_the_services(self, city, coordinator_kita, meeting):
        warm(city)
        case = Case.all_objects.get(discussions__meeting=meeting)
        case_services.case_update(user=coordinator_kita, case=case, expected_version=case.version,
                                  referring_category=AgencyCategory.objects.get(municipality=None, name="子ども・子育て担当"))
        after = counts(report(city), "referrer")
        assert (after["子ども・子育て担当"], after["地域包括支援センター"]) == (1, 0)

    def test_an_issue_repointed_by_raw_sql(self, city, meeting):
        """Issue categories have no merge in the product; a DBA merging two by hand is this UPDATE."""
        warm(city)
        target = IssueCategory.objects.get(municipality=None, name="ひきこもり")
        with connection.cursor() as cursor:
            cursor.execute("UPDATE meetings_meetingcaseissue SET category_id = %s WHERE category_id = "
                           "(SELECT id FROM cases_issuecategory WHERE municipality_id IS NULL AND name = '孤立')", [target.pk])
        after = counts(report(city), "issues")
        assert (after["ひきこもり"], after["孤立"], after["計"]) == (1, 0, 2)

    def test_a_meeting_held_on_moved_by_raw_sql(self, city, meeting):
        warm(city)
        with connection.cursor() as cursor:
            cursor.execute("UPDATE meetings_meeting SET held_on = '2019-04-01' WHERE id = %s", [meeting.pk])
        assert report(city)["meetings"] == {"2020": 0, "2019": 1}

    def test_issues_truncated(self, city, meeting):
        warm(city)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own inserts have deferred FK checks pending
            cursor.execute("TRUNCATE meetings_meetingcaseissue")
        assert counts(report(city), "issues")["計"] == 0

    def test_a_ledger_import(self, city, kita, nishinari, meeting):
        assert warm(city)["meetings"]["2020"] == 1
        ledger = ("開催日,区,事例番号,会議種別,開催根拠,SV派遣,相談のあった機関,参加機関,課題\n"
                  "2020/5/12,北区,K-1,,地域ケア会議,有,地域包括支援センター,地域包括支援センター、生活困窮担当,認知症\n"
                  "R2.7.3,西成区,N-9,,支援会議,無,,地域包括支援センター,ひきこもり\n")
        import_ledger(municipality=city, file=LedgerFile.from_bytes("台帳.csv", ledger.encode()))
        after = report(city)
        assert after["meetings"]["2020"] == 3
        assert counts(after, "sv") == {"無": 2, "有": 1, "計": 3}
        assert counts(after, "participants")["計"] == 2 + 2 + 1
        assert counts(after, "issues")["認知症"] == 1 and counts(after, "issues")["ひきこもり"] == 1
        assert report(city, ward=nishinari)["meetings"]["2020"] == 1


class TestWhatNeedsNoInvalidation:
    def test_a_layout_change_applies_at_once_without_counting_again(self, city, meeting):
        warm(city, layout=layout_for(city))
        layout = layout_copy_default(city)
        layout.rows.create(table=LayoutTable.PARTICIPANTS, name="警察", sort_order=1)
        with CaptureQueriesContext(connection) as queries:
            after = report(city, layout=layout_for(city))
        assert counting(queries) == []
        assert counts(after, "participants")["警察"] == 1 and counts(after, "participants")["その他"] == 0

    def test_a_category_renamed_shows_its_new_name_without_counting_again(self, city, meeting):
        warm(city)
        IssueCategory.objects.filter(municipality=None, name="孤立").update(name="社会的孤立")
        with CaptureQueriesContext(connection) as queries:
            after = report(city)
        assert counting(queries) == []
        # Out of seed 000's named rows: 孤立's row is empty and the renamed category is in その他.
        assert (counts(after, "issues")["孤立"], counts(after, "issues")["その他"]) == (0, 1)


class TestQueryCounts:
    def test_the_report_and_the_ward_comparison_cost_the_same_for_3_and_30_meetings(self, city, coordinator_kita, kita,
                                                                                    django_assert_num_queries):
        for n in range(3):
            held(coordinator_kita, kita, day=dt.date(2020, 6, 1 + n))
        report(city)
        with django_assert_num_queries(4):  # the cached years, then bases, agency categories, issue categories
            report(city)
        with django_assert_num_queries(5):  # the cached year, the three masters, the wards
            ward_comparison(municipality=city, fiscal_year=2020)
        for n in range(27):
            held(coordinator_kita, kita, day=dt.date(2020, 7, 1 + n), attended=("地域包括支援センター", "警察"))
        with django_assert_num_queries(5):  # one more: the counting statement (the writes invalidated the year)
            report(city)
        with django_assert_num_queries(4):
            assert report(city)["meetings"]["2020"] == 30
        with django_assert_num_queries(5):
            ward_comparison(municipality=city, fiscal_year=2020)

    def test_the_bureau_yearly_page_costs_the_same_for_3_and_30_meetings(self, client, bureau, city, coordinator_kita,
                                                                           kita, django_assert_num_queries):
        client.force_login(bureau)
        for n in range(3):
            held(coordinator_kita, kita, day=dt.date(2020, 6, 1 + n))
        url = reverse("reports:annual")
        client.get(url, {"fy": 2020})
        with CaptureQueriesContext(connection) as three:
            page = client.get(url, {"fy": 2020}).content.decode()
        assert "令和2年度：開催 3 回" in page and counting(three) == []
        for n in range(27):
            held(coordinator_kita, kita, day=dt.date(2020, 7, 1 + n), attended=("地域包括支援センター", "警察"))
        with CaptureQueriesContext(connection) as cold:
            client.get(url, {"fy": 2020})
        assert len(counting(cold)) == 1  # the year counted again (and its changed charts drawn and kept)
        with django_assert_num_queries(len(three)):
            page = client.get(url, {"fy": 2020}).content.decode()
        assert "令和2年度：開催 30 回" in page


class TestPastYearsStayCached:
    def test_a_write_in_one_year_leaves_the_other_years_cached(self, city, coordinator_kita, kita, meeting):
        warm(city, fy=2019, compare=2018)
        held(coordinator_kita, kita, day=dt.date(2020, 9, 1))
        with CaptureQueriesContext(connection) as queries:
            assert report(city, fy=2019, compare=2018)["meetings"] == {"2019": 0, "2018": 0}
        assert counting(queries) == []
        assert report(city)["meetings"]["2020"] == 2


def _connect():
    import psycopg2

    return psycopg2.connect(**connection.get_connection_params())


def _wait_until(cursor, pid: int, states: set[str]) -> str:
    """Poll the server (no sleep) until the backend `pid` is blocked on a lock ("lock") or idle in its transaction
    ("idle in transaction")."""
    for _ in range(100_000):
        cursor.execute("SELECT state, wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        state, wait = cursor.fetchone()
        seen = "lock" if wait == "Lock" else state
        if seen in states:
            return seen
    raise AssertionError(f"backend {pid} never reached {states}")


@pytest.mark.django_db(transaction=True)
def test_an_issue_written_while_its_meeting_moves_to_another_year_is_counted_in_the_new_year(coordinator_kita, kita):
    """The race of reports.counts: the issue's trigger waits for the meeting's move, so it bumps the year the meeting
    ends up in. Without the lock the trigger would bump FY2020 only, and FY2019 read in between would stay stale."""
    import threading

    city = kita.municipality
    meeting = held(coordinator_kita, kita, issues=("精神障がい", "孤立"))
    discussion = MeetingCase.objects.get(meeting=meeting)
    category = IssueCategory.objects.get(municipality=None, name="ゴミ屋敷")
    report(city)  # FY2020 and FY2019 cached
    mover, writer, watcher = _connect(), _connect(), _connect()
    watcher.autocommit = True
    try:
        mover.cursor().execute("UPDATE meetings_meeting SET held_on = '2019-06-01' WHERE id = %s", [meeting.pk])
        writer_cursor = writer.cursor()
        writer_cursor.execute("SELECT pg_backend_pid()")
        pid = writer_cursor.fetchone()[0]
        go = threading.Event()

        def write():
            writer_cursor.execute("INSERT INTO meetings_meetingcaseissue (discussion_id, category_id, suspected) "
                                  "VALUES (%s, %s, false)", [discussion.pk, category.pk])
            go.wait()
            writer.commit()

        thread = threading.Thread(target=write)
        thread.start()
        _wait_until(watcher.cursor(), pid, {"lock", "idle in transaction"})
        mover.commit()
        _wait_until(watcher.cursor(), pid, {"idle in transaction"})
        # Read between the two commits: FY2019 now holds the meeting with its two issues (and is cached so).
        assert counts(report(city, fy=2019), "issues", "2019")["計"] == 2
        go.set()
        thread.join()
        assert counts(report(city, fy=2019), "issues", "2019")["計"] == 3
    finally:
        for conn in (mover, writer, watcher):
            conn.close()


def test_a_chart_drawn_by_one_process_is_served_to_the_others_from_the_shared_cache(city, meeting, monkeypatch):
    from reports import exports

    built = annual_report(municipality=city, fiscal_year=2020)
    exports._chart.cache_clear()
    drawn = exports.chart_svg(built, "issues")
    exports._chart.cache_clear()  # another process: nothing in its memory

    def draw(*args):
        raise AssertionError("drawn again")

    monkeypatch.setattr(exports, "_draw_chart", draw)
    assert exports.chart_svg(built, "issues") == drawn


def test_every_counts_trigger_looks_meetings_up_by_index_whatever_the_statistics():
    """Migration 0004: with statistics that call a full table empty, a trigger's join planned as nested sequential
    scans stalled a 60,000-row import for minutes. Every row trigger function of the counts carries the setting."""
    with connection.cursor() as cursor:
        cursor.execute("""SELECT p.proname, p.proconfig FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
                          WHERE t.tgname LIKE 'reports_counts_%%' AND NOT t.tgisinternal
                            AND p.proname NOT IN ('reports_counts_truncated', 'reports_counts_version_kept',
                                                  'reports_counts_version_truncated')""")
        functions = dict(cursor.fetchall())
    assert len(functions) == 15
    assert {name for name, config in functions.items() if "enable_seqscan=off" not in (config or [])} == set()


def test_an_update_s_changed_rows_are_found_by_except_never_by_a_search_of_one_transition_table_per_row():
    """Migration 0007: transition tables have no index; matching each new row to its old one by NOT EXISTS could be
    planned as a nested loop, quadratic in the rows updated (seed_demo's one UPDATE of every case hung a run)."""
    with connection.cursor() as cursor:
        cursor.execute("""SELECT p.proname, p.prosrc FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
                          WHERE t.tgname LIKE 'reports_counts_%%_update' AND NOT t.tgisinternal""")
        bodies = dict(cursor.fetchall())
    assert len(bodies) == 7
    assert {name for name, body in bodies.items() if "NOT EXISTS" in body or " EXCEPT " not in body} == set()
