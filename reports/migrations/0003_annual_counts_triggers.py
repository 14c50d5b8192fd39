"""The triggers that keep the cached yearly counts exact (reports.counts has the scheme and the race reasoning).

Statement-level AFTER triggers with transition tables, one per event (a transition table allows only one),
on every table whose columns the counting statement reads. Whatever writes the rows (services, admin,
bulk_create, COPY, queryset.update, raw SQL) bumps, in its own transaction, the version of each
(municipality, fiscal year) whose counts it may change; a master change bumps the whole municipality
(fiscal year 0), a national master's every municipality (0, 0). TRUNCATE bumps everything.
"""

from django.db import migrations

FISCAL_YEAR = """
CREATE FUNCTION reports_fiscal_year(day date) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT extract(year FROM day)::integer - CASE WHEN extract(month FROM day) < 4 THEN 1 ELSE 0 END $$;
"""


def bump(keys: str) -> str:
    """Add one to the version of every (municipality_id, fiscal_year) that `keys` selects, in key order
    (two writers lock the version rows in the same order)."""
    return f"""
    INSERT INTO reports_countsversion (municipality_id, fiscal_year, version)
    SELECT k.municipality_id, k.fiscal_year, 1 FROM ({keys}) AS k(municipality_id, fiscal_year)
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (municipality_id, fiscal_year) DO UPDATE SET version = reports_countsversion.version + 1;"""


def function(name: str, body: str) -> str:
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{body}
    RETURN NULL;
END;
$$;"""


def changed(columns: str) -> dict[str, str]:
    """The rows of an UPDATE whose read columns changed, before and after (matched by id)."""
    cols = ", ".join(f"{{t}}.{c}" for c in columns.split())
    other = ", ".join(f"{{o}}.{c}" for c in columns.split())
    same = f"EXISTS (SELECT 1 FROM {{other}} {{o}} WHERE {{o}}.id = {{t}}.id AND ({cols}) IS NOT DISTINCT FROM ({other}))"
    return {
        "old": "SELECT * FROM old_rows o WHERE NOT " + same.format(t="o", o="n", other="new_rows"),
        "new": "SELECT * FROM new_rows n WHERE NOT " + same.format(t="n", o="o", other="old_rows"),
    }


def meeting_keys(rows: str) -> str:
    return f"SELECT municipality_id, reports_fiscal_year(held_on) FROM ({rows}) r"


MEETING_COLUMNS = "municipality_id ward_id kind_id basis_id held_on status sv_dispatched"


def child_keys(rows: str, meeting_id: str) -> tuple[str, str]:
    """The lock, then the keys, of the meetings a child row belongs to.

    The lock (FOR SHARE conflicts with the NO KEY UPDATE of a concurrent edit of the meeting) makes the keys
    the committed ones: a meeting moved to another year by a transaction still open is waited for, and its
    new year read afterwards (each statement of a READ COMMITTED trigger takes a new snapshot). A meeting
    locked here cannot be moved until this transaction ends, and its move then bumps both years."""
    ids = f"SELECT {meeting_id} FROM ({rows}) r"
    return (f"    PERFORM 1 FROM meetings_meeting m WHERE m.id IN ({ids}) ORDER BY m.id FOR SHARE;",
            bump(f"SELECT m.municipality_id, reports_fiscal_year(m.held_on) FROM meetings_meeting m WHERE m.id IN ({ids})"))


def issue_keys(rows: str) -> tuple[str, str]:
    ids = "SELECT discussion_id FROM ({rows}) r".format(rows=rows)
    return (f"""    PERFORM 1 FROM meetings_meetingcase d JOIN meetings_meeting m ON m.id = d.meeting_id
        WHERE d.id IN ({ids}) ORDER BY m.id FOR SHARE;""",
            bump(f"""SELECT m.municipality_id, reports_fiscal_year(m.held_on) FROM meetings_meetingcase d
        JOIN meetings_meeting m ON m.id = d.meeting_id WHERE d.id IN ({ids})"""))


def child(table: str, columns: str, keys) -> list[tuple[str, str, str]]:
    """(event, transition tables, body) for a table under meetings_meeting."""
    update = changed(columns)
    lock_old, bump_old = keys(update["old"])
    lock_new, bump_new = keys(update["new"])
    lock_ins, bump_ins = keys("SELECT * FROM new_rows")
    lock_del, bump_del = keys("SELECT * FROM old_rows")
    return [
        ("INSERT", "NEW TABLE AS new_rows", lock_ins + bump_ins),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", lock_old + lock_new + bump_old + bump_new),
        ("DELETE", "OLD TABLE AS old_rows", lock_del + bump_del),
    ]


EVERYTHING = bump("SELECT 0::bigint, 0")

TRIGGERS: dict[str, list[tuple[str, str, str]]] = {
    "meetings_meeting": [
        ("INSERT", "NEW TABLE AS new_rows", bump(meeting_keys("SELECT * FROM new_rows"))),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows",
         bump(meeting_keys(changed(MEETING_COLUMNS)["old"]) + " UNION ALL " + meeting_keys(changed(MEETING_COLUMNS)["new"]))),
        ("DELETE", "OLD TABLE AS old_rows", bump(meeting_keys("SELECT * FROM old_rows"))),
    ],
    "meetings_meetingcase": child("meetings_meetingcase", "meeting_id case_id",
                                  lambda rows: child_keys(rows, "meeting_id")),
    "meetings_meetingagency": child("meetings_meetingagency", "meeting_id agency_id attended",
                                    lambda rows: child_keys(rows, "meeting_id")),
    "meetings_meetingcaseissue": child("meetings_meetingcaseissue", "discussion_id category_id", issue_keys),
    # Masters: a changed column changes the counts of every year, so the whole municipality (the row's own, and
    # for agencies and cases any other whose meetings use it, for data written past the services' checks).
    "meetings_meetingkind": [
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", bump(
            "SELECT COALESCE(municipality_id, 0), 0 FROM ({old}) r UNION ALL SELECT COALESCE(municipality_id, 0), 0 FROM ({new}) r"
            .format(**changed("in_annual_tables")))),
    ],
    "agencies_agency": [
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", bump(
            """SELECT municipality_id, 0 FROM ({old}) r UNION ALL SELECT municipality_id, 0 FROM ({new}) r
            UNION ALL SELECT DISTINCT m.municipality_id, 0 FROM meetings_meetingagency ma
                JOIN meetings_meeting m ON m.id = ma.meeting_id WHERE ma.agency_id IN (SELECT id FROM ({new}) r)"""
            .format(**changed("category_id")))),
    ],
    "cases_case": [
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", bump(
            """SELECT municipality_id, 0 FROM ({old}) r UNION ALL SELECT municipality_id, 0 FROM ({new}) r
            UNION ALL SELECT DISTINCT m.municipality_id, 0 FROM meetings_meetingcase d
                JOIN meetings_meeting m ON m.id = d.meeting_id WHERE d.case_id IN (SELECT id FROM ({new}) r)"""
            .format(**changed("referring_category_id")))),
    ],
}
TRUNCATED = ["meetings_meeting", "meetings_meetingcase", "meetings_meetingagency", "meetings_meetingcaseissue"]


def forward() -> str:
    parts = [FISCAL_YEAR]
    for table, events in TRIGGERS.items():
        for event, referencing, body in events:
            name = f"reports_counts_{table}_{event.lower()}"
            parts.append(function(name, body))
            parts.append(f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing}\n"
                         f"    FOR EACH STATEMENT EXECUTE FUNCTION {name}();")
    parts.append(function("reports_counts_truncated", EVERYTHING))
    for table in TRUNCATED:
        parts.append(f"CREATE TRIGGER reports_counts_{table}_truncate AFTER TRUNCATE ON {table}\n"
                     "    FOR EACH STATEMENT EXECUTE FUNCTION reports_counts_truncated();")
    # The versions only grow: a deleted version could come back to a value a stale row was stored with.
    parts.append(function("reports_counts_version_kept", "    RAISE EXCEPTION 'counts versions are never deleted';"))
    parts.append("CREATE TRIGGER reports_counts_version_kept BEFORE DELETE ON reports_countsversion\n"
                 "    FOR EACH STATEMENT EXECUTE FUNCTION reports_counts_version_kept();")
    # TRUNCATE (test teardown, a DBA) starts the versions again: the cached rows go with them.
    parts.append(function("reports_counts_version_truncated", "    DELETE FROM reports_annualcounts;"))
    parts.append("CREATE TRIGGER reports_counts_version_truncated AFTER TRUNCATE ON reports_countsversion\n"
                 "    FOR EACH STATEMENT EXECUTE FUNCTION reports_counts_version_truncated();")
    return "\n".join(parts)


def backward() -> str:
    parts = []
    for table, events in TRIGGERS.items():
        for event, _referencing, _body in events:
            name = f"reports_counts_{table}_{event.lower()}"
            parts.append(f"DROP TRIGGER IF EXISTS {name} ON {table}; DROP FUNCTION IF EXISTS {name}();")
    for table in TRUNCATED:
        parts.append(f"DROP TRIGGER IF EXISTS reports_counts_{table}_truncate ON {table};")
    parts.append("DROP TRIGGER IF EXISTS reports_counts_version_kept ON reports_countsversion;")
    parts.append("DROP TRIGGER IF EXISTS reports_counts_version_truncated ON reports_countsversion;")
    parts.append("DROP FUNCTION IF EXISTS reports_counts_truncated(); DROP FUNCTION IF EXISTS reports_counts_version_kept();")
    parts.append("DROP FUNCTION IF EXISTS reports_counts_version_truncated(); DROP FUNCTION IF EXISTS reports_fiscal_year(date);")
    return "\n".join(parts)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_annual_counts_cache"),
        ("meetings", "0007_meeting_tasks"),
        ("cases", "0012_member_checkboxes_removed"),
        ("agencies", "0002_standard_agency_categories"),
    ]
    operations = [migrations.RunSQL(forward(), backward())]
