"""The one anonymiser behind both apply_retention and an approved erasure request.

Rows are rewritten, never deleted, so that every count the reports make stays the same: a consultation is
still a consultation on its day, a meeting still discussed its case with its issues, a referral still went
to its agency and was answered when it was. What goes is what names or describes the people:

- the members' names and kana (→ 「匿名化済み」), birth dates and estimated ages (→ an age band, kept here),
  the free 続柄 detail; the household's address, phone and note; and the search keys derived from them;
- the free text of the household's cases: 相談の概要, 終結の理由, status-change reasons, issue memos,
  consultation summaries and next actions, plan goals and policy, task descriptions, consent memos, what a
  meeting noted about the case, the referrals' reasons, notes and outcomes, and each referral's copy
  (`snapshot`) of what was shared;
- the same columns in django-simple-history's tables (their rows hold every earlier spelling of a name);
- a meeting's minutes and decisions when every case it discussed is anonymised; otherwise, and in its title
  and in a merge's reason, each name, kana, address and phone of the household is cut out of the text;
- the admin log's labels of the members (`object_repr` is the member's name).

The audit trail holds no name by design (audit.services.object_reference) and is never rewritten.
"""

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy

from cases.models import (
    Case,
    CaseIssue,
    CaseStatusChange,
    Consent,
    Consultation,
    Household,
    HouseholdMember,
    HouseholdMerge,
    RoleAssignment,
    SupportPlan,
)
from meetings.models import Meeting, MeetingCase
from referrals.models import Referral, ReferralEvent, SharedItem

from .models import Anonymisation, AnonymisationReason, AnonymisedMember

# What takes the place of a name, an address and a required free text. Data, not interface text: it is stored.
ANONYMISED = "匿名化済み"
ANONYMISED_KANA = "とくめいかずみ"
# A fragment shorter than this is not cut out of shared text (「北」 would take every 北区 with it).
MIN_FRAGMENT = 2
MIN_KANA_FRAGMENT = 3


def age_band(age: int | None) -> str:
    """「40代」, 「10歳未満」, 「90歳以上」 or 「不明」: what the anonymised member keeps of a birth date."""
    if age is None:
        return "不明"
    if age < 10:
        return "10歳未満"
    if age >= 90:
        return "90歳以上"
    return f"{age // 10 * 10}代"


def _history(model: type[models.Model]):
    return model.history.model._default_manager  # type: ignore[attr-defined]


# ----------------------------------------------------------------------------------------- cutting text


_SPACES = re.compile(r"[\s\u3000]+")
_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(ord("ぁ"), ord("ゖ") + 1)}


_TO_FULL_WIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}


def _widths(text: str) -> set[str]:
    """As typed, in half width (NFKC) and in full width: free text may have been typed either way."""
    narrow = unicodedata.normalize("NFKC", text)
    return {text, narrow, narrow.translate(_TO_FULL_WIDTH)}


def _variants(text: str, *, kana: bool = False) -> set[str]:
    """The ways a name, reading, address or phone may have been written in free text."""
    text = (text or "").strip()
    if not text:
        return set()
    minimum = MIN_KANA_FRAGMENT if kana else MIN_FRAGMENT
    found: set[str] = set()
    for form in _widths(text):
        found |= {form, _SPACES.sub("", form), _SPACES.sub(" ", form), _SPACES.sub("\u3000", form)}
        found |= set(_SPACES.split(form))
    if kana:
        found |= {v.translate(_HIRAGANA_TO_KATAKANA) for v in found}
    return {v for v in found if len(v) >= minimum}


@dataclass
class Fragments:
    """The strings that identify the people: cut out of any text that outlives the anonymisation."""

    strings: set[str] = field(default_factory=set)

    def add(self, text: str | None, *, kana: bool = False) -> None:
        self.strings |= _variants(text or "", kana=kana)

    def add_phone(self, phone: str | None) -> None:
        phone = unicodedata.normalize("NFKC", phone or "").strip()
        digits = re.sub(r"\D", "", phone)
        self.strings |= {s for form in (phone, digits) for s in _widths(form) if len(s) >= 6}

    @property
    def pattern(self) -> re.Pattern | None:
        return _pattern(frozenset(self.strings))

    def cut(self, value):
        """The value with every fragment replaced; strings inside lists and dicts too (JSON)."""
        pattern = self.pattern
        if pattern is None:
            return value
        return _cut(value, pattern)


@lru_cache(maxsize=8)
def _pattern(strings: frozenset[str]) -> re.Pattern | None:
    if not strings:
        return None
    # Longest first, so that 「北村一郎」 goes before 「北村」 leaves 「一郎」 behind.
    return re.compile("|".join(re.escape(s) for s in sorted(strings, key=lambda s: (-len(s), s))))


def _cut(value, pattern: re.Pattern):
    if isinstance(value, str):
        return pattern.sub(ANONYMISED, value)
    if isinstance(value, list):
        return [_cut(v, pattern) for v in value]
    if isinstance(value, dict):
        return {k: _cut(v, pattern) for k, v in value.items()}
    return value


def _fragments_of(*, members: Iterable[int], households: Iterable[int] = ()) -> Fragments:
    """Every spelling the members and households ever had: the live rows and all their history rows."""
    found = Fragments()
    members, households = list(members), list(households)
    people: list[tuple[str, str]] = [*HouseholdMember.objects.filter(id__in=members).values_list("name", "name_kana"),
                                     *_history(HouseholdMember).filter(id__in=members).values_list("name", "name_kana")]
    for name, kana in people:
        found.add(name)
        found.add(kana, kana=True)
    homes: list[tuple[str, str]] = [*Household.all_objects.filter(id__in=households).values_list("address", "phone"),
                                    *_history(Household).filter(id__in=households).values_list("address", "phone")]
    for address, phone in homes:
        found.add(address)
        found.add_phone(phone)
    found.strings.discard(ANONYMISED)
    found.strings.discard(ANONYMISED_KANA)
    return found


def _cut_rows(queryset, fields: list[str], fragments: Fragments) -> int:
    """Cut the fragments out of these text (or JSON) columns, row by row; the number of rows changed."""
    if fragments.pattern is None:
        return 0
    changed = 0
    pk = queryset.model._meta.pk.attname
    for row in queryset.values(pk, *fields):
        new = {name: fragments.cut(row[name]) for name in fields}
        new = {name: value for name, value in new.items() if value != row[name]}
        if new:
            queryset.model._default_manager.filter(**{pk: row[pk]}).update(**new)
            changed += 1
    return changed


# -------------------------------------------------------------------------------------- the snapshots


def _anonymised_snapshot(snapshot: dict, fragments: Fragments, *, whole_household: bool, member_is_primary: bool) -> dict:
    """A referral's copy with the people taken out: identity and ages always when the household goes, the
    identity when the member erased is the person it names; every other string has the fragments cut out."""
    copy = dict(snapshot or {})
    identity = copy.get(SharedItem.IDENTITY)
    if isinstance(identity, dict) and (whole_household or member_is_primary):
        copy[SharedItem.IDENTITY] = {**identity, "name": ANONYMISED, "name_kana": ANONYMISED_KANA, "birth_date": None,
                                     "age": None, "age_is_estimated": False,
                                     **({"address": ANONYMISED, "phone": ""} if whole_household else {})}
    if whole_household:
        members = copy.get(SharedItem.HOUSEHOLD)
        if isinstance(members, list):
            copy[SharedItem.HOUSEHOLD] = [{**m, "age": None} if isinstance(m, dict) else m for m in members]
        consultations = copy.get(SharedItem.CONSULTATIONS)
        if isinstance(consultations, list):
            copy[SharedItem.CONSULTATIONS] = [{**c, "summary": ANONYMISED} if isinstance(c, dict) else c
                                              for c in consultations]
        plan = copy.get(SharedItem.PLAN)
        if isinstance(plan, dict):
            copy[SharedItem.PLAN] = {**plan, "goals": ANONYMISED if plan.get("goals") is not None else None,
                                     "tasks": [{**t, "task": ANONYMISED} for t in plan.get("tasks", [])]}
    return fragments.cut(copy)


# ------------------------------------------------------------------------------------------- the work


@dataclass
class Tally:
    """How many rows of each kind were rewritten: the receipt's 「消去した内容」 (no personal data)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, n: int) -> None:
        if n:
            self.counts[key] = self.counts.get(key, 0) + n


LABELS = {
    "households": gettext_lazy("世帯（住所・電話番号・特記事項）"),
    "members": gettext_lazy("世帯員（氏名・ふりがな・生年月日）"),
    "cases": gettext_lazy("事例（相談の概要・終結の理由）"),
    "status_changes": gettext_lazy("状況の変更の理由"),
    "issues": gettext_lazy("課題のメモ"),
    "consultations": gettext_lazy("相談記録"),
    "plans": gettext_lazy("支援プラン"),
    "tasks": gettext_lazy("役割分担"),
    "consents": gettext_lazy("本人同意のメモ"),
    "discussions": gettext_lazy("会議で協議した内容"),
    "meetings": gettext_lazy("会議の議事録・決定事項・会議名"),
    "referrals": gettext_lazy("つなぎ（依頼の内容・共有した情報の控え）"),
    "referral_events": gettext_lazy("つなぎの経過"),
    "merges": gettext_lazy("世帯の統合の理由"),
    "history": gettext_lazy("変更履歴の行"),
    "admin_log": gettext_lazy("管理画面の操作記録の表示名"),
}


def _update(queryset, tally: Tally, key: str, **values) -> None:
    tally.add(key, queryset.update(**values))


def _history_update(model, ids, tally: Tally, **values) -> None:
    tally.add("history", _history(model).filter(id__in=list(ids)).update(**values))


def _households_of(household: Household) -> list[int]:
    """The household and every household merged into it (the same family, found twice)."""
    found, frontier = [household.pk], [household.pk]
    while frontier:
        frontier = list(Household.all_objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True))
        found += [pk for pk in frontier if pk not in found]
    return found


def _is_gone(household_ids: set[int]) -> set[int]:
    """Of these households, those anonymised as a whole."""
    return set(Anonymisation.objects.filter(household_id__in=household_ids, member__isnull=True)
               .values_list("household_id", flat=True))


def anonymise_household(*, household: Household, reason: str, request=None, on: dt.date | None = None) -> Anonymisation:
    """Anonymise the household, every household merged into it, their members and their cases' free text.

    Runs inside the caller's transaction (which locked the household and its cases). Versions are raised, so an
    edit form opened before is refused rather than writing the old name back."""
    household_ids = _households_of(household)
    case_ids = list(Case.all_objects.filter(household_id__in=household_ids).values_list("pk", flat=True))
    member_ids = list(HouseholdMember.objects.filter(household_id__in=household_ids).values_list("pk", flat=True))
    fragments = _fragments_of(members=member_ids, households=household_ids)
    closed = [d for d in Case.all_objects.filter(pk__in=case_ids).values_list("closed_on", flat=True) if d]
    reference = max(closed) if closed else (on or timezone.localdate())
    tally = Tally()

    record = Anonymisation.objects.create(
        municipality_id=household.municipality_id, household=household, reason=reason, request=request,
        anonymised_at=timezone.now(), reference_on=reference,
        case_numbers=list(Case.all_objects.filter(pk__in=case_ids).order_by("received_on", "pk").values_list("number", flat=True)),
    )
    _keep_age_bands(record, HouseholdMember.objects.filter(pk__in=member_ids), reference)

    # The people.
    _update(HouseholdMember.objects.filter(pk__in=member_ids), tally, "members", name=ANONYMISED,
            name_kana=ANONYMISED_KANA, birth_date=None, estimated_age=None, relationship_note="", version=F("version") + 1)
    _history_update(HouseholdMember, member_ids, tally, name=ANONYMISED, name_kana=ANONYMISED_KANA, birth_date=None,
                    estimated_age=None, relationship_note="")
    _update(Household.all_objects.filter(pk__in=household_ids), tally, "households", address=ANONYMISED, phone="", note="",
            version=F("version") + 1)
    _history_update(Household, household_ids, tally, address=ANONYMISED, phone="", note="")
    consents = list(Consent.objects.filter(member_id__in=member_ids).values_list("pk", flat=True))
    _update(Consent.objects.filter(pk__in=consents), tally, "consents", note="")
    _history_update(Consent, consents, tally, note="")

    # The cases' free text.
    _update(Case.all_objects.filter(pk__in=case_ids), tally, "cases", summary="", closing_reason="", version=F("version") + 1)
    _history_update(Case, case_ids, tally, summary="", closing_reason="")
    _update(CaseStatusChange.objects.filter(case_id__in=case_ids), tally, "status_changes", reason="")
    issues = list(CaseIssue.objects.filter(case_id__in=case_ids).values_list("pk", flat=True))
    _update(CaseIssue.objects.filter(pk__in=issues), tally, "issues", note="")
    _history_update(CaseIssue, issues, tally, note="")
    consultations = list(Consultation.objects.filter(case_id__in=case_ids).values_list("pk", flat=True))
    _update(Consultation.objects.filter(pk__in=consultations), tally, "consultations", summary=ANONYMISED, next_action="")
    _history_update(Consultation, consultations, tally, summary=ANONYMISED, next_action="")
    _update(SupportPlan.objects.filter(case_id__in=case_ids), tally, "plans", goals=ANONYMISED, policy="")
    tasks = list(RoleAssignment.objects.filter(case_id__in=case_ids).values_list("pk", flat=True))
    _update(RoleAssignment.objects.filter(pk__in=tasks), tally, "tasks", task=ANONYMISED)
    _history_update(RoleAssignment, tasks, tally, task=ANONYMISED)

    # Meetings: what was noted about these cases; the minutes when nothing else was discussed there.
    _update(MeetingCase.objects.filter(case_id__in=case_ids), tally, "discussions", note="")
    _meetings(case_ids, set(household_ids), fragments, tally)

    # Referrals about these cases, and their copies of what was shared.
    referrals = Referral.all_objects.filter(case_id__in=case_ids)
    for pk, snapshot in referrals.values_list("pk", "snapshot"):
        Referral.all_objects.filter(pk=pk).update(
            reason=ANONYMISED, basis_note="", answer_note="", outcome="",
            snapshot=_anonymised_snapshot(snapshot, fragments, whole_household=True, member_is_primary=True))
        tally.add("referrals", 1)
    _update(ReferralEvent.objects.filter(referral__case_id__in=case_ids), tally, "referral_events", note="")

    # A merge with a household of another family keeps its reason, without this family's names.
    merges = HouseholdMerge.objects.filter(source_id__in=household_ids) | HouseholdMerge.objects.filter(target_id__in=household_ids)
    tally.add("merges", _cut_rows(merges, ["reason"], fragments))
    _admin_log(member_ids, tally)

    record.erased = tally.counts
    record.save(update_fields=["erased"])
    record.fragments = fragments  # type: ignore[attr-defined]  # for the caller's own free text (not stored)
    return record


def _meetings(case_ids: list[int], household_ids: set[int], fragments: Fragments, tally: Tally) -> None:
    meeting_ids = set(MeetingCase.objects.filter(case_id__in=case_ids).values_list("meeting_id", flat=True))
    # The other households each meeting discussed: the minutes may speak of them, unless they are gone too.
    shared: dict[int, set[int]] = {}
    others = MeetingCase.objects.filter(meeting_id__in=meeting_ids).exclude(case_id__in=case_ids)
    for meeting_id, household_id in others.values_list("meeting_id", "case__household_id"):
        shared.setdefault(meeting_id, set()).add(household_id)
    gone = _is_gone({h for hs in shared.values() for h in hs}) | household_ids
    private = [m for m in meeting_ids if not (shared.get(m, set()) - gone)]
    if private:
        tally.add("meetings", Meeting.all_objects.filter(pk__in=private).update(minutes="", decisions="",
                                                                              version=F("version") + 1))
        _history_update(Meeting, private, tally, minutes="", decisions="")
    tally.add("meetings", _cut_rows(Meeting.all_objects.filter(pk__in=meeting_ids), ["title", "minutes", "decisions"], fragments))
    tally.add("history", _cut_rows(_history(Meeting).filter(id__in=meeting_ids), ["title", "minutes", "decisions"], fragments))


def _admin_log(member_ids: list[int], tally: Tally) -> None:
    """The admin log labels a member by name (str(member)); the label goes, the record of the change stays."""
    kind = ContentType.objects.get_for_model(HouseholdMember)
    tally.add("admin_log", LogEntry.objects.filter(content_type=kind, object_id__in=[str(pk) for pk in member_ids])
              .exclude(object_repr=ANONYMISED).update(object_repr=ANONYMISED))


def _keep_age_bands(record: Anonymisation, members, reference: dt.date) -> None:
    """The band of each member's age on the reference day; a member already anonymised keeps the band it had."""
    earlier: dict[int, str] = dict(AnonymisedMember.objects.filter(member__in=members).order_by("pk")
                                   .values_list("member_id", "age_band"))

    def band(m: HouseholdMember) -> str:
        if m.birth_date is None and m.estimated_age is None and m.pk in earlier:
            return earlier[m.pk]
        return age_band(m.age_on(reference))

    AnonymisedMember.objects.bulk_create([AnonymisedMember(anonymisation=record, member=m, age_band=band(m)) for m in members])


# Every free-text column that may mention a member by name, with whether django-simple-history keeps it too.
TEXT_COLUMNS: list[tuple[type[models.Model], str, list[str], bool]] = [
    (Household, "pk", ["note"], True),
    (Case, "household", ["summary", "closing_reason"], True),
    (CaseStatusChange, "case__household", ["reason"], False),
    (CaseIssue, "case__household", ["note"], True),
    (Consultation, "case__household", ["summary", "next_action"], True),
    (SupportPlan, "case__household", ["goals", "policy"], False),
    (RoleAssignment, "case__household", ["task"], True),
    (MeetingCase, "case__household", ["note"], False),
    (Referral, "case__household", ["reason", "basis_note", "answer_note", "outcome"], False),
    (ReferralEvent, "referral__case__household", ["note"], False),
]


def anonymise_member(*, member: HouseholdMember, reason: str, request=None, on: dt.date | None = None) -> Anonymisation:
    """Anonymise one member: their own fields and history, and their name cut out of the household's free text."""
    household = member.household
    household_ids = _households_of(household)
    fragments = _fragments_of(members=[member.pk])
    # A surname the family shares stays: only what is this member's own is cut from the family's text.
    others = HouseholdMember.objects.filter(household_id__in=household_ids).exclude(pk=member.pk)
    fragments.strings -= _fragments_of(members=others.values_list("pk", flat=True)).strings
    case_ids = list(Case.all_objects.filter(household_id__in=household_ids).values_list("pk", flat=True))
    reference = on or timezone.localdate()
    tally = Tally()
    record = Anonymisation.objects.create(
        municipality_id=household.municipality_id, household=household, member=member, reason=reason, request=request,
        anonymised_at=timezone.now(), reference_on=reference,
        case_numbers=list(Case.all_objects.filter(pk__in=case_ids).order_by("received_on", "pk").values_list("number", flat=True)),
    )
    _keep_age_bands(record, [member], reference)
    _update(HouseholdMember.objects.filter(pk=member.pk), tally, "members", name=ANONYMISED, name_kana=ANONYMISED_KANA,
            birth_date=None, estimated_age=None, relationship_note="", version=F("version") + 1)
    _history_update(HouseholdMember, [member.pk], tally, name=ANONYMISED, name_kana=ANONYMISED_KANA, birth_date=None,
                    estimated_age=None, relationship_note="")
    consents = list(Consent.objects.filter(member=member).values_list("pk", flat=True))
    _update(Consent.objects.filter(pk__in=consents), tally, "consents", note="")
    _history_update(Consent, consents, tally, note="")

    keys = {Household: "households", Case: "cases", CaseStatusChange: "status_changes", CaseIssue: "issues",
            Consultation: "consultations", SupportPlan: "plans", RoleAssignment: "tasks", MeetingCase: "discussions",
            Referral: "referrals", ReferralEvent: "referral_events"}
    for model, via, fields, historical in TEXT_COLUMNS:
        manager = model._default_manager  # all_objects where a model has one (default_manager_name)
        ids = list(manager.filter(**{f"{via}__in": household_ids}).values_list("pk", flat=True))
        tally.add(keys[model], _cut_rows(manager.filter(pk__in=ids), fields, fragments))
        if historical:
            tally.add("history", _cut_rows(_history(model).filter(id__in=ids), fields, fragments))
    is_primary = member.is_primary
    for pk, snapshot in Referral.all_objects.filter(case_id__in=case_ids).values_list("pk", "snapshot"):
        new = _anonymised_snapshot(snapshot, fragments, whole_household=False, member_is_primary=is_primary)
        if new != snapshot:
            Referral.all_objects.filter(pk=pk).update(snapshot=new)
            tally.add("referrals", 1)
    meeting_ids = list(MeetingCase.objects.filter(case_id__in=case_ids).values_list("meeting_id", flat=True))
    tally.add("meetings", _cut_rows(Meeting.all_objects.filter(pk__in=meeting_ids), ["title", "minutes", "decisions"], fragments))
    tally.add("history", _cut_rows(_history(Meeting).filter(id__in=meeting_ids), ["title", "minutes", "decisions"], fragments))
    merges = HouseholdMerge.objects.filter(source_id__in=household_ids) | HouseholdMerge.objects.filter(target_id__in=household_ids)
    tally.add("merges", _cut_rows(merges, ["reason"], fragments))
    _admin_log([member.pk], tally)
    record.erased = tally.counts
    record.save(update_fields=["erased"])
    record.fragments = fragments  # type: ignore[attr-defined]  # for the caller's own free text (not stored)
    return record


__all__ = ["ANONYMISED", "ANONYMISED_KANA", "LABELS", "AnonymisationReason", "age_band", "anonymise_household",
           "anonymise_member"]
