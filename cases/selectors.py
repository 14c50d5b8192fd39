"""Reads on households and cases. Everything here starts from a user's scope."""

import datetime as dt
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from agencies.models import Ward
from core.text import digits_only, normalize_address, normalize_kana, normalize_name
from core.wareki import format_date

from .filters import CaseFilter
from .models import (
    Case,
    CaseIssue,
    Consent,
    ConsentPurpose,
    Consultation,
    Household,
    HouseholdMember,
    RoleAssignment,
    TaskStatus,
)
from .registry import TimelineEntry, case_parts, household_involvements, household_notes


def household_list(*, user):
    return Household.objects.for_user(user).select_related("ward").prefetch_related(
        Prefetch("members", queryset=HouseholdMember.objects.order_by("-is_primary", "pk"))
    )


def household_search(*, user, query: str):
    """One box: name or kana in any script, phone, address or case number."""
    households = household_list(user=user)
    query = (query or "").strip()
    if not query:
        return households
    name, kana, address, digits = normalize_name(query), normalize_kana(query), normalize_address(query), digits_only(query)
    matches = (
        Q(members__name_normalized__contains=name)
        | Q(members__kana_normalized__contains=kana)
        | Q(address_normalized__contains=address)
        | _case_number_matches(query, prefix="cases__")
    )
    if len(digits) >= 4:
        matches |= Q(phone_digits__contains=digits)
    ids = Household.objects.for_user(user).filter(matches).values("pk")
    return households.filter(pk__in=ids)


def _case_number_matches(query: str, *, prefix: str = "") -> Q:
    """The case number (R2-0001) or the ledger's 事例番号 (KITA-2021-001), in any width or case."""
    number = unicodedata.normalize("NFKC", query).strip()
    return Q(**{f"{prefix}number__iexact": number}) | (
        Q(**{f"{prefix}external_number__iexact": number}) if number else Q(pk__in=[]))


def _person_matches(query: str) -> Q:
    """Cases whose household has a member of that name or kana, or that carry that number."""
    name, kana = normalize_name(query), normalize_kana(query)
    people = HouseholdMember.objects.filter(household_id=OuterRef("household_id")).filter(
        Q(name_normalized__contains=name) | Q(kana_normalized__contains=kana))
    return Q(Exists(people)) | _case_number_matches(query)


@dataclass
class Duplicates:
    mine: list = field(default_factory=list)  # households the user may open
    elsewhere: list = field(default_factory=list)  # (ward name, count): outside the user's scope, no details


def duplicate_conditions(*, kana: str, birth_date: dt.date | None, address: str) -> tuple[Q, list[str]]:
    """What a duplicate check compares: the condition, and the names of the inputs it uses (for the audit trail,
    which records which fields were looked up, never their values)."""
    same, fields = Q(pk__in=[]), []
    if kana and birth_date:
        same |= Q(members__kana_normalized=normalize_kana(kana), members__birth_date=birth_date)
        fields += ["name_kana", "birth_date"]
    if address and len(normalize_address(address)) >= 6:
        same |= Q(address_normalized=normalize_address(address))
        fields.append("address")
    return same, fields


def household_duplicates(*, user, kana: str, birth_date: dt.date | None, address: str) -> Duplicates:
    """Likely duplicates across the municipality: same kana and birth date, or the same address.

    Matches in other wards are reported by ward and count only; the coordinator contacts that ward.
    """
    same, _fields = duplicate_conditions(kana=kana, birth_date=birth_date, address=address)
    candidates = Household.all_objects.filter(
        same, municipality_id=user.municipality_id, merged_into__isnull=True
    ).values("pk")
    mine = list(household_list(user=user).filter(pk__in=candidates))
    mine_ids = [h.pk for h in mine]
    elsewhere = (
        Ward.objects.filter(household__in=Household.all_objects.filter(pk__in=candidates).exclude(pk__in=mine_ids))
        .annotate(count=Count("household", distinct=True))
        .order_by("sort_order")
    )
    return Duplicates(mine=mine, elsewhere=[(w.name, w.count) for w in elsewhere])


def _primary(field_name):
    return Subquery(
        HouseholdMember.objects.filter(household_id=OuterRef("household_id"), is_primary=True).values(field_name)[:1]
    )


def case_rows(*, user):
    """The cases this user may see, with what a list shows (the primary person, overdue tasks) in one query."""
    today = timezone.localdate()
    return (
        Case.objects.for_user(user)
        .select_related("ward", "lead", "referring_category")
        .annotate(
            primary_name=_primary("name"),
            primary_kana=_primary("name_kana"),
            # The one definition of overdue (RoleAssignment.overdue), counted for each listed case only.
            overdue_tasks=Coalesce(Subquery(
                RoleAssignment.objects.overdue(today).filter(case_id=OuterRef("pk")).order_by()
                .values("case_id").annotate(n=Count("pk")).values("n")
            ), 0),
        )
        .order_by("-received_on", "-pk")
    )


def case_list(*, user, params, query: str = "") -> CaseFilter:
    """The cases filtered by `params` (non-personal: status, ward …) and found by `query` (a name, kana or number)."""
    rows = case_rows(user=user)
    query = (query or "").strip()
    if query:
        rows = rows.filter(_person_matches(query))
    return CaseFilter(params, queryset=rows, user=user)


def issue_list(*, user):
    """Issues (課題) of the cases this user may see, newest first."""
    return (
        CaseIssue.objects.filter(case__in=Case.objects.for_user(user))
        .select_related("case", "category", "member")
        .order_by("-noted_on", "-pk")
    )


def consultation_list(*, user):
    """Consultation records of the cases this user may see, newest first."""
    return (
        Consultation.objects.filter(case__in=Case.objects.for_user(user))
        .select_related("case", "staff")
        .prefetch_related("agencies")
        .order_by("-held_at", "-pk")
    )


def overdue_tasks(*, user):
    today = timezone.localdate()
    return (
        RoleAssignment.objects.overdue(today)
        .filter(case__in=Case.objects.for_user(user))
        .select_related("case", "agency")
        .order_by("due_on", "pk")
    )


def agency_tasks(*, user):
    """The actionable tasks given to the user's agency (in the user's city). The agency opens each task, not its case."""
    return (
        RoleAssignment.objects.actionable()
        .filter(agency_id=user.agency_id, case__municipality_id=user.municipality_id)
        .select_related("case", "agency")
        .order_by("due_on", "pk")
    )


def consent_status(*, case, on: dt.date | None = None) -> list[tuple[str, str | Promise, bool]]:
    """(purpose, label, consented?) for the primary person on a day (default today)."""
    on = on or timezone.localdate()
    valid = Consent.objects.valid_on(on).filter(member__household_id=case.household_id, member__is_primary=True)
    purposes = set(valid.values_list("purpose", flat=True))
    return [(purpose, label, purpose in purposes) for purpose, label in ConsentPurpose.choices]


def case_timeline(*, case, extra: Iterable[TimelineEntry] = ()) -> list[TimelineEntry]:
    """Consultations, status changes and plans of a case, with the `extra` entries the apps above contribute
    (meetings held, referrals' steps: see cases.registry), newest first."""
    entries = list(extra)
    for c in case.consultations.select_related("staff").prefetch_related("agencies"):
        agencies = "、".join(a.name for a in c.agencies.all())
        body = c.summary + (f"\n（関わった機関: {agencies}）" if agencies else "")
        if c.next_action:
            body += f"\n次の対応: {c.next_action}"
        entries.append(TimelineEntry(c.held_at, "consultation", c.get_method_display(), body, c.staff.display_name))
    for s in case.status_changes.select_related("changed_by"):
        title = s.get_to_status_display() if not s.from_status else f"{s.get_from_status_display()} → {s.get_to_status_display()}"
        entries.append(TimelineEntry(s.changed_at, "status", title, s.reason, s.changed_by.display_name))
    for p in case.plans.select_related("created_by"):
        entries.append(TimelineEntry(p.created_at, "plan", f"支援プラン 第{p.version}版（{p.get_kind_display()}）", p.goals,
                                     p.created_by.display_name))
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


def case_detail(*, case) -> dict:
    """Everything the case page shows: this app's reads plus each registered part (meetings, referrals …)."""
    parts = case_parts(case=case)
    issues = case.issues.select_related("category", "member")
    tasks = case.tasks.select_related("agency", "plan")
    context = {
        "issues": list(issues),
        "tasks": list(tasks),
        "plan": case.plans.first(),
        "members": list(case.household.members.all()),
        "consents": consent_status(case=case),
        "timeline": case_timeline(case=case, extra=[entry for part in parts for entry in part.timeline]),
        "task_statuses": TaskStatus.choices,
        "notes": [note for part in parts for note in part.notes],
    }
    for part in parts:
        context.update(part.context)
    return context


@dataclass
class AgencyInvolvement:
    agency: object
    what: list = field(default_factory=list)
    active: bool = False


def household_overview(*, household) -> dict:
    """The household at a glance: 「過去に受けていた支援内容や支援機関」 in one place."""
    cases = list(household.cases.select_related("referring_agency__category", "referring_category", "lead").order_by("-received_on"))
    issues = list(
        CaseIssue.objects.filter(case__household=household).select_related("category", "member", "case")
    )
    tasks = list(RoleAssignment.objects.filter(case__household=household).select_related("agency__category", "case"))
    consultations = Consultation.objects.filter(case__household=household).prefetch_related("agencies__category")
    involvement: dict[int, AgencyInvolvement] = {}

    def involve(agency, what, active):
        entry = involvement.setdefault(agency.pk, AgencyInvolvement(agency))
        entry.what.append(what)
        entry.active = entry.active or active

    for case in cases:
        if case.referring_agency:
            involve(case.referring_agency, _("%(number)s の相談元") % {"number": case.number}, case.is_open)
    for task in tasks:
        involve(task.agency, _("%(task)s（%(status)s）") % {"task": task.task, "status": task.get_status_display()},
                task.is_pending and task.case.is_open)
    for consultation in consultations:
        for agency in consultation.agencies.all():
            involve(agency, _("%(day)s の相談に関与") % {"day": format_date(consultation.held_at)}, False)
    for other in household_involvements(household=household):
        involve(other.agency, other.what, other.active)
    consents = list(Consent.objects.filter(member__household=household).select_related("member").prefetch_related("agencies"))
    return {
        "members": list(household.members.all()),
        "cases": cases,
        "issues": issues,
        "tasks": tasks,
        "involvement": sorted(involvement.values(), key=lambda i: (not i.active, i.agency.name)),
        "consents": consents,
        "task_statuses": TaskStatus.choices,
        "notes": household_notes(household=household),
    }


def household_counts_by_ward(*, municipality):
    """Aggregate only: how many households each ward holds (for the bureau; no personal field)."""
    return Ward.objects.filter(municipality=municipality).annotate(
        households=Count("household", filter=Q(household__merged_into__isnull=True))
    ).order_by("sort_order", "pk")


@dataclass
class HistoryEntry:
    at: dt.datetime
    by: str
    what: str
    fields: list


def _history_entries(records, label_of, fields) -> list[HistoryEntry]:
    """Turn django-simple-history rows (oldest first per object) into 'who changed which fields'."""
    entries: list[HistoryEntry] = []
    previous: dict[int, object] = {}
    for record in records:
        before = previous.get(record.id)
        if before is None:
            changed = [str(_("登録"))]
        else:
            changed = [str(record.instance_type._meta.get_field(f).verbose_name)
                       for f in fields if getattr(before, f) != getattr(record, f)]
        previous[record.id] = record
        if changed:
            by = record.history_user.display_name if record.history_user else str(_("システム"))
            entries.append(HistoryEntry(record.history_date, by, label_of(record), changed))
    return entries


def household_history(*, household, limit: int = 30) -> list[HistoryEntry]:
    """Who changed the household and its members, and which fields — newest first, two queries."""
    from .services.households import HOUSEHOLD_FIELDS, MEMBER_FIELDS

    households = household.history.select_related("history_user").order_by("history_date", "history_id")
    members = HouseholdMember.history.filter(household_id=household.pk).select_related("history_user").order_by(
        "history_date", "history_id")
    entries = _history_entries(households, lambda r: str(_("世帯")), [*HOUSEHOLD_FIELDS, "merged_into_id"])
    entries += _history_entries(members, lambda r: r.name, [*MEMBER_FIELDS, "household_id", "is_primary"])
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
