"""The import's fast path (ledger.tables: COPY, no model instances) writes what the services would, all or nothing,
and every character of a value."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from agencies.models import Agency, AgencyCategory
from cases.models import Case, CaseNumberSequence, CaseStatus, CaseStatusChange, Household, IssueCategory
from cases.services.bulk import NewCase, NewHousehold, case_bulk_create, household_bulk_create
from core.spreadsheet import neutralise
from ledger import importer
from ledger.export import ledger_export
from ledger.importer import LedgerRejected, Result, check, import_ledger
from ledger.models import ImportedCase, ImportedMeeting, LedgerImport
from ledger.parsing import LedgerFile
from ledger.tables import Table, take_ids
from meetings.bulk import HeldDiscussion, HeldMeeting, meeting_bulk_record
from meetings.models import MeetingAgency, MeetingBasis, MeetingCase, MeetingCaseIssue, MeetingKind
from tests.factories import WardFactory

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
HEADER = "開催日,区,事例番号,会議種別,開催根拠,SV派遣,相談のあった機関,参加機関,課題\n"
# K-1: two meetings (the second one day later in the file's order but earlier in time), N-9: one, with no referrer.
LEDGER = HEADER + (
    "2020/6/1,北区,K-1,,地域ケア会議,有,地域包括支援センター,地域包括支援センター、生活困窮担当,認知症、経済的困窮（疑い含む）\n"
    "令和2年5月12日,北区,K-1,つながる場,本人同意,無,地域包括支援センター,地域包括支援センター,認知症\n"
    "R2.7.3,西成区,N-9,,要対協,○,,社会福祉協議会,ひきこもり\n"
)


def _file(text, name="台帳.csv"):
    return LedgerFile.from_bytes(name, text.encode("utf-8"))


def _at(day, hour):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TOKYO)


WRITTEN = [Household, Household.history.model, Case, Case.history.model, CaseStatusChange, MeetingKind,
           "meetings.Meeting", "meetings.HistoricalMeeting", MeetingAgency, MeetingCase, MeetingCaseIssue,
           ImportedCase, ImportedMeeting]
OWN_IDS = {"household_id": "cases.Household", "case_id": "cases.Case", "meeting_id": "meetings.Meeting",
           "discussion_id": "meetings.MeetingCase", "source_id": "ledger.LedgerImport"}
TIMES = {"created_at", "updated_at", "history_date"}


def _snapshot(since):
    """Every row the import writes, ids (its own and those it points to) replaced by their order among the new
    rows, times checked to lie within the run and left out."""
    models = {m if isinstance(m, str) else m._meta.label: apps.get_model(m) if isinstance(m, str) else m
              for m in [*WRITTEN, LedgerImport]}
    ranks = {label: {pk: n for n, pk in enumerate(model._base_manager.order_by("pk").values_list("pk", flat=True))}
             for label, model in models.items() if not label.startswith(("cases.Historical", "meetings.Historical"))}
    rows = {}
    for label, model in models.items():
        if label == "meetings.MeetingKind" or label == "ledger.LedgerImport":
            continue
        history = getattr(model, "instance_type", None)
        own = ranks[history._meta.label if history else label]
        found = []
        for row in model._base_manager.order_by("history_id" if history else "pk").values():
            for column in TIMES & row.keys():
                assert since <= row.pop(column) <= timezone.now(), (label, column)
            row.pop("history_id", None)
            row["id"] = own[row["id"]]
            for column, target in OWN_IDS.items():
                if row.get(column) is not None and target != label:
                    row[column] = ranks[target][row[column]]
            found.append(row)
        rows[label] = found
    return rows


def test_the_fast_path_writes_what_the_services_would_field_by_field(osaka, kita, nishinari):
    convener = importer._system_user(osaka)
    category = {c.name: c for c in AgencyCategory.objects.for_municipality(osaka)}
    issue = {c.name: c for c in IssueCategory.objects.for_municipality(osaka)}
    basis = {b.name: b for b in MeetingBasis.objects.for_municipality(osaka)}
    kind = MeetingKind.objects.for_municipality(osaka).get(name="つながる場")
    agency = {(w.name, c): Agency.objects.create(municipality=osaka, ward=w, category=category[c], name=f"{w.name}{c}")
              for w, c in [(kita, "地域包括支援センター"), (kita, "生活困窮担当"), (nishinari, "社会福祉協議会")]}

    since = timezone.now()
    point = transaction.savepoint()
    result = import_ledger(municipality=osaka, file=_file(LEDGER))
    assert (result.cases_created, result.meetings_created) == (2, 3)
    fast = _snapshot(since)
    transaction.savepoint_rollback(point)
    assert not Case.all_objects.exists()

    # The same, through the services, by hand: cases in the order of their first meetings (K-1 on 5/12, N-9).
    since = timezone.now()
    record = LedgerImport.objects.create(municipality=osaka, filename="台帳.csv", sha256="x" * 64, rows=3)
    note = "開催台帳から取り込んだ事例の世帯です（台帳には世帯の情報がありません）。"
    reason = "開催台帳から取り込み（台帳に状況がないため終結として登録）"
    homes = household_bulk_create(user=convener, municipality=osaka,
                                  households=[NewHousehold(ward=kita, note=note), NewHousehold(ward=nishinari, note=note)])
    k1, n9 = case_bulk_create(user=convener, municipality=osaka, cases=[
        NewCase(household=homes[0].household, received_on=dt.date(2020, 5, 12), intake_channel="agency",
                referring_category=category["地域包括支援センター"], created_by=convener, external_number="K-1",
                status=CaseStatus.CLOSED, closed_on=dt.date(2020, 6, 1), ended_at=_at(dt.date(2020, 6, 1), 17), reason=reason),
        NewCase(household=homes[1].household, received_on=dt.date(2020, 7, 3), intake_channel="visit",
                created_by=convener, external_number="N-9", status=CaseStatus.CLOSED, closed_on=dt.date(2020, 7, 3),
                ended_at=_at(dt.date(2020, 7, 3), 17), reason=reason)])
    ImportedCase.objects.bulk_create([ImportedCase(case=k1, source=record, row=2), ImportedCase(case=n9, source=record, row=4)])
    meetings = meeting_bulk_record(user=convener, municipality=osaka, meetings=[
        HeldMeeting(ward=kita, kind=kind, basis=basis["地域ケア会議"], starts_at=_at(dt.date(2020, 6, 1), 10),
                    convener=convener, sv_dispatched=True,
                    agencies=[(agency["北区", "地域包括支援センター"], True, True), (agency["北区", "生活困窮担当"], True, True)],
                    discussions=[HeldDiscussion(case_id=k1.pk, issues=[(issue["認知症"], False), (issue["経済的困窮"], True)])]),
        HeldMeeting(ward=kita, kind=kind, basis=basis["本人同意（つながる場単独開催）"], starts_at=_at(dt.date(2020, 5, 12), 10),
                    convener=convener, agencies=[(agency["北区", "地域包括支援センター"], True, True)],
                    discussions=[HeldDiscussion(case_id=k1.pk, issues=[(issue["認知症"], False)])]),
        HeldMeeting(ward=nishinari, kind=kind, basis=basis["要保護児童対策地域協議会"], starts_at=_at(dt.date(2020, 7, 3), 10),
                    convener=convener, sv_dispatched=True, agencies=[(agency["西成区", "社会福祉協議会"], True, True)],
                    discussions=[HeldDiscussion(case_id=n9.pk, issues=[(issue["ひきこもり"], False)])])])
    ImportedMeeting.objects.bulk_create([ImportedMeeting(meeting=m, source=record, row=n) for m, n in zip(meetings, (2, 3, 4), strict=True)])
    by_services = _snapshot(since)

    counts = {label: len(rows) for label, rows in by_services.items()}
    assert counts == {"cases.Household": 2, "cases.HistoricalHousehold": 2, "cases.Case": 2, "cases.HistoricalCase": 2,
                      "cases.CaseStatusChange": 4, "meetings.Meeting": 3, "meetings.HistoricalMeeting": 3,
                      "meetings.MeetingAgency": 4, "meetings.MeetingCase": 3, "meetings.MeetingCaseIssue": 4,
                      "ledger.ImportedCase": 2, "ledger.ImportedMeeting": 3}
    for label, rows in by_services.items():
        assert fast[label] == rows, label
    history = fast["meetings.HistoricalMeeting"][0]
    assert (history["history_type"], history["history_user_id"], history["history_change_reason"]) == ("+", convener.pk, None)


def _table_counts():
    """Every table's rows, and the case number sequences' values (taken numbers must be given back)."""
    counts = {model._meta.db_table: model._base_manager.count() for model in apps.get_models()
              if model._meta.managed and not model._meta.proxy}
    return counts, sorted(CaseNumberSequence.objects.values_list("fiscal_year", "last"))


def _many(rows):
    return HEADER + "".join(f"2021/{1 + n % 12}/{1 + n % 28},北区,M-{n // 2},,支援会議,無,,地域包括支援センター,孤立\n"
                            for n in range(rows))


def test_a_bad_row_found_late_leaves_every_table_as_it_was(osaka, kita, monkeypatch):
    import_ledger(municipality=osaka, file=_file(LEDGER.replace("西成区", "北区")))  # something there already
    monkeypatch.setattr(importer, "CHUNK", 4)  # several chunks written before the last row is read
    ledger = _file(_many(20), "大きい台帳.csv")
    plan = check(municipality=osaka, file=ledger).to_json()
    assert plan["meetings_created"] == 20
    # Between the check and the import the ward is renamed: the import finds its last row bad only after
    # writing every chunk before it.
    text = _many(19) + "2021/12/28,北区,M-9,,支援会議,無,,地域包括支援センター,孤立\n".replace("北区", "南区", 1)
    ledger = LedgerFile(ledger.name, _file(text).open, len(text.encode()))
    before = _table_counts()
    with pytest.raises(LedgerRejected):
        import_ledger(municipality=osaka, file=ledger, plan=Result.from_json(plan, osaka))
    assert _table_counts() == before


def test_a_database_error_inside_the_copy_leaves_every_table_as_it_was(osaka, kita, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK", 4)
    with connection.cursor() as cursor:  # the database refuses the provenance of the file's last row
        cursor.execute("""
            CREATE FUNCTION refuse_row_21() RETURNS trigger AS $$
            BEGIN IF NEW.row = 21 THEN RAISE EXCEPTION 'row 21 refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
            CREATE TRIGGER refuse_row_21 BEFORE INSERT ON ledger_importedmeeting
            FOR EACH ROW EXECUTE FUNCTION refuse_row_21();""")
    before = _table_counts()
    with pytest.raises(Exception, match="row 21 refused"):
        import_ledger(municipality=osaka, file=_file(_many(20)))
    assert _table_counts() == before


HOSTILE = ["tab\there", "line\nfeed", "carriage\rreturn", "back\\slash", "\\N", "\\.", "\\\\t", "'quote'",
           '"double"', "=SUM(A1:A2)", "+1", "-1", "@cmd", "日本語\u3000全角", "", "end\\"]


def test_every_character_survives_copy(osaka, kita):
    ids = take_ids(Household, len(HOSTILE))
    assert ids == sorted(ids) and len(set(ids)) == len(HOSTILE)
    Table(Household, ["id", "ward_id", "note"], municipality_id=osaka.pk).write(
        (pk, kita.pk, value) for pk, value in zip(ids, HOSTILE, strict=True))
    written = dict(Household.all_objects.filter(pk__in=ids).values_list("pk", "note"))
    assert [written[pk] for pk in ids] == HOSTILE
    assert Household.all_objects.filter(pk__in=ids, merged_into__isnull=True, version=1).count() == len(HOSTILE)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_case_numbers_with_quotes_backslashes_and_formulas_survive_import_export_import(osaka, kita, komae, fmt):
    numbers = ["A\\1", "\\N", "\\.", '"Q"2', "'Q'3", "=1+2", "+81", "-7", "@x", "C,4", "'=5"]
    out = io.StringIO()
    writer = csv.writer(out)
    for n, number in enumerate(numbers):
        writer.writerow([f"2021/4/{n + 1}", "北区", neutralise(number), "", "支援会議", "無", "", "", ""])
    import_ledger(municipality=osaka, file=_file(HEADER + out.getvalue()))
    assert sorted(Case.all_objects.filter(municipality=osaka).values_list("external_number", flat=True)) == sorted(numbers)
    exported = io.BytesIO()
    ledger_export(municipality=osaka, output=exported, fmt=fmt)
    WardFactory(municipality=komae, name="北区")
    import_ledger(municipality=komae, file=LedgerFile.from_bytes(f"台帳.{fmt}", exported.getvalue()))
    assert sorted(Case.all_objects.filter(municipality=komae).values_list("external_number", flat=True)) == sorted(numbers)
