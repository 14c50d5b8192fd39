"""Reads on referrals. Everything starts from `Referral.objects.for_user(user)`.

What of the case a referral lets its receiver see is decided here, in `shared_information`: the items
the sender chose, only while the referral is neither declined nor withdrawn and its consent still holds.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Count, Exists, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import CASE_FILE_ROLES, Role
from cases.models import Case

from . import sharing
from .access import is_receiver
from .models import (
    IN_FLIGHT_STATUSES,
    Notification,
    Referral,
    ReferralEvent,
    ReferralStatus,
    SharedItem,
)

LIST_RELATED = ("kind", "case", "from_agency", "from_ward", "to_agency", "to_ward", "sent_by")

BOXES = {
    "incoming": gettext_lazy("受信"),
    "sent": gettext_lazy("送信"),
    "ward": gettext_lazy("区の事例（対応中のもの）"),
}


def boxes_for(user) -> list[tuple[str, str | Promise]]:
    names = ["incoming", "sent"] + (["ward"] if user.role == Role.COORDINATOR else [])
    if user.role == Role.SUPERVISOR:
        names = ["ward"]
    return [(name, BOXES[name]) for name in names]


def _needs_action(box: str) -> Q:
    """What in a box waits on the user: an incoming referral to answer or carry out, a sent one past its due date
    unanswered (to chase), anything under 区の事例 (it holds only what is in flight)."""
    if box == "incoming":
        return Q(status__in=IN_FLIGHT_STATUSES)
    if box == "sent":
        return Q(status=ReferralStatus.SENT, due_on__lt=timezone.localdate())
    return Q()


def opening_box(*, user, boxes: list[str]) -> str:
    """The box the list opens on when none is chosen: the first with something needing action, else the first
    with anything in it, else the first. One query per box looked at."""
    first_filled = None
    for box in boxes:
        found = referral_box(user=user, box=box).order_by().aggregate(
            any=Count("pk"), action=Count("pk", filter=_needs_action(box)))
        if found["action"]:
            return box
        if found["any"] and first_filled is None:
            first_filled = box
    return first_filled or boxes[0]


def with_case_links(referrals, *, user):
    """`opens_case` on each row of a list: whether the user may open the case's file (the case's ward coordinator,
    a dispatched supervisor; never an agency worker: docs/access-policy.md), so the list links the case number."""
    if user.role not in CASE_FILE_ROLES:
        return referrals.annotate(opens_case=Value(False, output_field=BooleanField()))
    return referrals.annotate(opens_case=Exists(Case.objects.for_user(user).filter(pk=OuterRef("case_id"))))


def referral_list(*, user):
    """Every referral this user may see, newest first, with what a list shows (no resident's name)."""
    return Referral.objects.for_user(user).select_related(*LIST_RELATED, "case_ward").order_by("-sent_at", "-pk")


def referral_list_parts(referrals, *, user) -> list:
    """`referrals` (from `referral_list`, maybe filtered) as disjoint parts that each follow one index by sending
    date: for an agency worker those addressed to the agency, then those it sent elsewhere. Each part only narrows
    `referrals`, so who sees what stays `for_user`'s; a list reads the parts apiece and merges them instead of
    reading every row the OR matches (an agency receives tens of thousands)."""
    if user.role == Role.AGENCY_WORKER:
        return [referrals.filter(to_agency_id=user.agency_id),
                referrals.filter(from_agency_id=user.agency_id).exclude(to_agency_id=user.agency_id)]
    return [referrals]


def referral_box(*, user, box: str, status: str = ""):
    """One inbox, unordered (BoxPages orders and pages it): addressed to the user's office, sent by it, or
    (coordinators, supervisors) everything in flight about the cases they look after."""
    referrals = Referral.objects.for_user(user).select_related(*LIST_RELATED)
    if box == "incoming":
        referrals = referrals.addressed_to(user)
    elif box == "sent":
        referrals = referrals.sent_by_office_of(user)
    elif user.role == Role.COORDINATOR:
        referrals = referrals.filter(case_ward_id=user.ward_id, status__in=IN_FLIGHT_STATUSES)
    else:
        referrals = referrals.filter(status__in=IN_FLIGHT_STATUSES)
    if status in ReferralStatus.values:
        referrals = referrals.filter(status=status)
    return referrals


WAITING_ORDER = ("due_on", "-sent_at", "-pk")  # unanswered: overdue and oldest due first
ANSWERED_ORDER = ("-sent_at", "-pk")  # the rest: newest first


class BoxPages:
    """What an inbox's list pages through: the unanswered first (overdue and oldest due first), then the rest newest
    first. Two index-backed reads instead of one sort of every referral the office ever had: the unanswered are few,
    the rest are read a page at a time down an index on the sending date. The sizes come from status_counts."""

    def __init__(self, *, user, box: str, status: str, counts: dict[str, int], annotate=lambda referrals: referrals):
        status = status if status in ReferralStatus.values else ""
        base = referral_box(user=user, box=box, status=status)
        self.parts = (
            annotate(base.filter(status=ReferralStatus.SENT).order_by(*WAITING_ORDER)),
            annotate(base.exclude(status=ReferralStatus.SENT).order_by(*ANSWERED_ORDER)),
        )
        shown = {key: n for key, n in counts.items() if not status or key == status}
        self.sizes = (shown.get(ReferralStatus.SENT, 0), sum(shown.values()) - shown.get(ReferralStatus.SENT, 0))

    def count(self) -> int:
        return sum(self.sizes)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list:
        start, stop = index.start or 0, index.stop if index.stop is not None else self.count()
        rows = []
        for part, size in zip(self.parts, self.sizes, strict=True):
            if start < size and stop > 0:
                rows += list(part[max(start, 0):min(stop, size)])
            start, stop = start - size, stop - size
        return rows


def status_counts(*, user, box: str) -> dict[str, int]:
    base = referral_box(user=user, box=box).order_by()
    return dict(base.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))


def action_needed(*, user):
    """Unanswered referrals addressed to the user's office, the oldest due first (overdue ones lead)."""
    referrals = Referral.objects.for_user(user).addressed_to(user).unanswered().select_related(*LIST_RELATED)
    return with_case_links(referrals, user=user).order_by("due_on", "sent_at", "pk")


def ward_waiting(*, user) -> int:
    """Unanswered referrals about a coordinator's ward's cases, to whomever addressed."""
    return Referral.objects.for_user(user).filter(case_ward_id=user.ward_id).unanswered().count()


def badge_counts(user) -> dict[str, int]:
    """The navigation's badges in one query: unanswered referrals to the user's office, unread notices."""
    if not user.sees_personal_data:
        return {"referrals": 0, "notifications": 0}
    waiting = (Referral.objects.for_user(user).addressed_to(user).unanswered().order_by()
               .values("municipality_id").annotate(n=Count("pk")).values("n"))
    unread = (Notification.objects.filter(user_id=OuterRef("pk"), read_at__isnull=True).order_by()
              .values("user_id").annotate(n=Count("pk")).values("n"))
    row = (get_user_model().objects.filter(pk=user.pk)
           .annotate(waiting=Coalesce(Subquery(waiting[:1]), 0), unread=Coalesce(Subquery(unread), 0))
           .values("waiting", "unread").first())
    return {"referrals": row["waiting"], "notifications": row["unread"]} if row else {"referrals": 0, "notifications": 0}


def case_referrals(*, case):
    events = Prefetch("events", queryset=ReferralEvent.objects.select_related("by"))
    return list(case.referrals.select_related(*LIST_RELATED).prefetch_related(events).order_by("-sent_at", "-pk"))


def notification_list(*, user):
    return Notification.objects.filter(user=user).select_related("referral").order_by("-created_at", "-pk")


# ------------------------------------------------------------------------------------------ shared view


@dataclass
class SharedInformation:
    """What a viewer sees of the case through one referral."""

    available: bool
    reason: str = ""
    sections: dict = field(default_factory=dict)
    case_visible: bool = False  # the viewer may open the case page itself

    @property
    def items(self) -> list[str]:
        return list(self.sections)


def shared_information(*, user, referral: Referral, today: dt.date | None = None) -> SharedInformation:
    """What this user sees of what the referral passed on: the copy taken when it was sent (referrals.sharing).

    The receiver reads it while the referral is in hand; a user who may open the case file (its ward's
    coordinator, a dispatched SV) reads it always; the sending agency sees which items it passed on, not the copy.
    """
    today = today or timezone.localdate()
    case_visible = Case.objects.for_user(user).filter(pk=referral.case_id).exists()
    lawful, reason = sharing.referral_window(referral, today)
    if referral.shares and case_visible:
        lawful, reason = True, ""
    elif lawful and not is_receiver(user, referral):
        lawful, reason = False, _("共有した情報の内容は、依頼先だけが見られます。")
    if not lawful:
        return SharedInformation(False, reason, case_visible=case_visible)
    sections = {item: _readable(item, referral.snapshot.get(item)) for item in referral.shares}
    return SharedInformation(True, sections=sections, case_visible=case_visible)


def _date(value):
    return dt.date.fromisoformat(value) if value else None


def _readable(item: str, section):
    """The stored copy with its dates as dates again, for the templates' 和暦."""
    if section is None:
        return None
    if item == SharedItem.IDENTITY:
        return {**section, "birth_date": _date(section.get("birth_date"))}
    if item == SharedItem.CONSULTATIONS:
        return [{**c, "held_at": dt.datetime.fromisoformat(c["held_at"]) if c.get("held_at") else None} for c in section]
    if item == SharedItem.PLAN:
        return {**section, "tasks": [{**t, "due_on": _date(t.get("due_on"))} for t in section.get("tasks", [])]}
    return section
