"""Two probes of the whole database: every figure the product reports, and every text column's content."""

import datetime as dt

from django.db import connection

from cases.models import (
    Case,
    CaseIssue,
    CaseStatusChange,
    Consultation,
    HouseholdMember,
    RoleAssignment,
    SupportPlan,
)
from meetings.models import MeetingAgency, MeetingCase, MeetingCaseIssue
from referrals.models import Referral, ReferralEvent
from reports.activities import activity_report
from reports.annual import annual_report, ward_comparison
from reports.indicators import evaluation_indicators
from reports.referrals import referral_report

TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb", "ARRAY", "USER-DEFINED")


def figures(municipality, *, years=range(2018, 2027), today: dt.date | None = None, per_ward: bool = True) -> dict:
    """Every yearly, activity, referral and support-cycle figure of the municipality, for each fiscal year (each
    ward's yearly tables too, unless `per_ward` is off: the ward comparison has them all in one)."""
    out: dict = {}
    for year in years:
        start, end = dt.date(year, 4, 1), dt.date(year + 1, 3, 31)
        out[f"annual {year}"] = annual_report(municipality=municipality, fiscal_year=year).to_json()
        for ward in municipality.wards.all() if per_ward else ():
            out[f"annual {year} {ward.name}"] = annual_report(municipality=municipality, fiscal_year=year, ward=ward).to_json()
        out[f"wards {year}"] = ward_comparison(municipality=municipality, fiscal_year=year).to_json()
        out[f"activities {year}"] = activity_report(municipality=municipality, start=start, end=end).to_json()
        out[f"indicators {year}"] = [vars(i) for i in evaluation_indicators(municipality=municipality, start=start, end=end)]
        out[f"referrals {year}"] = referral_report(municipality=municipality, fiscal_year=year, today=today).to_json()
    out["support cycle"] = support_cycle(municipality)
    return out


def support_cycle(municipality) -> dict:
    """Each case's path from 受付 to 終結 and what was done on the way, row by row (no text)."""
    cases = Case.all_objects.filter(municipality=municipality)
    return {
        "cases": list(cases.order_by("pk").values_list("pk", "household_id", "ward_id", "number", "fiscal_year", "status",
                                                       "received_on", "closed_on", "intake_channel", "referring_category_id",
                                                       "referring_agency_id", "lead_id", "is_difficult")),
        "status": list(CaseStatusChange.objects.filter(case__in=cases).order_by("pk").values_list(
            "case_id", "action", "from_status", "to_status", "changed_at")),
        "issues": list(CaseIssue.objects.filter(case__in=cases).order_by("pk").values_list(
            "case_id", "category_id", "member_id", "suspected", "noted_on", "resolved_on")),
        "consultations": list(Consultation.objects.filter(case__in=cases).order_by("pk").values_list(
            "case_id", "held_at", "method", "minutes", "next_due_on")),
        "plans": list(SupportPlan.objects.filter(case__in=cases).order_by("pk").values_list("case_id", "version", "kind",
                                                                                         "decided_on", "review_on")),
        "tasks": list(RoleAssignment.objects.filter(case__in=cases).order_by("pk").values_list(
            "case_id", "plan_id", "agency_id", "due_on", "status", "completed_on", "sharing_basis")),
        "members": list(HouseholdMember.objects.filter(household__municipality=municipality).order_by("pk").values_list(
            "household_id", "sex", "relationship", "is_primary", "care_level", "physical_disability_grade",
            "intellectual_disability_grade", "mental_disability_grade", "public_assistance", "moved_out_on",
            "deceased_on")),
        "discussions": list(MeetingCase.objects.filter(case__in=cases).order_by("pk").values_list(
            "meeting_id", "case_id", "consent_id")),
        "discussed issues": list(MeetingCaseIssue.objects.filter(discussion__case__in=cases).order_by("pk").values_list(
            "discussion_id", "category_id", "suspected")),
        "attendance": list(MeetingAgency.objects.filter(meeting__municipality=municipality).order_by("pk").values_list(
            "meeting_id", "agency_id", "invited", "attended")),
        "referrals": list(Referral.all_objects.filter(municipality=municipality).order_by("pk").values_list(
            "case_id", "kind_id", "to_agency_id", "to_ward_id", "status", "sent_at", "due_on", "answered_at",
            "closed_at", "shares", "sharing_basis", "decline_reason_id")),
        "referral events": list(ReferralEvent.objects.filter(referral__municipality=municipality).order_by("pk")
                                .values_list("referral_id", "action", "from_status", "to_status", "at")),
    }


def _columns(types) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema "
            "WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.data_type = ANY(%s) "
            "ORDER BY c.table_name, c.ordinal_position", [list(types)])
        found: dict[str, list[str]] = {}
        for table, column in cursor.fetchall():
            found.setdefault(table, []).append(column)
    return found


def text_columns() -> dict[str, list[str]]:
    return _columns(TEXT_TYPES)


def leftovers(strings, *, dates=()) -> dict[str, list[str]]:
    """{"table.column": [strings found]} over every text, JSON and array column of every table (history tables,
    the audit trail, the admin log and sessions included), and every date column holding one of `dates`."""
    quote = connection.ops.quote_name
    found: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table, columns in text_columns().items():
            for column in columns:
                patterns = [f"%{text}%" for text in strings]
                cursor.execute(f"SELECT {quote(column)}::text FROM {quote(table)} WHERE {quote(column)}::text LIKE ANY(%s)",
                               [patterns])
                values = [row[0] for row in cursor.fetchall()]
                hits = [text for text in strings if any(text in value for value in values)]
                if hits:
                    found[f"{table}.{column}"] = hits
        if dates:
            for table, columns in _columns(("date",)).items():
                for column in columns:
                    cursor.execute(f"SELECT 1 FROM {quote(table)} WHERE {quote(column)} = ANY(%s) LIMIT 1", [list(dates)])
                    if cursor.fetchone():
                        found.setdefault(f"{table}.{column}", []).append("date")
    return found


def tables_scanned() -> int:
    return len(text_columns())
