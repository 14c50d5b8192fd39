"""Referral figures for the bureau (issue #5 item 8): per receiving agency category and per ward, one fiscal year.

Counts only. The unit is a referral sent in the fiscal year (by its day of sending), about a case of the
ward chosen (or any ward). A referral is "overdue" when it was answered after its due date or is still
unanswered past it on the day the report is made.
"""

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, FloatField, Func, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.wareki import fiscal_year_label
from referrals.models import Referral, ReferralStatus

from .annual import TOTAL
from .scope import scoped

ACCEPTED = (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED)


class Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5): the median of a numeric expression, NULLs ignored."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _days_to_answer():
    waited = ExpressionWrapper(F("answered_at") - F("sent_at"), output_field=DurationField())
    return Func(waited, template="EXTRACT(EPOCH FROM %(expressions)s) / 86400.0", output_field=FloatField())


def _figures(today: dt.date) -> dict:
    late_answer = Q(answered_at__isnull=False, answered_at__date__gt=F("due_on"))
    still_waiting = Q(status=ReferralStatus.SENT, due_on__lt=today)
    return {
        "sent": Count("pk"),
        "accepted": Count("pk", filter=Q(status__in=ACCEPTED)),
        "declined": Count("pk", filter=Q(status=ReferralStatus.DECLINED)),
        "withdrawn": Count("pk", filter=Q(status=ReferralStatus.WITHDRAWN)),
        "waiting": Count("pk", filter=Q(status=ReferralStatus.SENT)),
        "completed": Count("pk", filter=Q(status=ReferralStatus.COMPLETED)),
        "overdue": Count("pk", filter=late_answer | still_waiting),
        "median_days": Median(_days_to_answer()),
    }


def _row(label: str, values: dict) -> dict:
    median = values.pop("median_days")
    return {"label": label, **values, "median_days": None if median is None else round(median, 1)}


CATEGORY, WARD = "to_agency__category__name", "case_ward__name"


def _grouped(queryset, name: str, sort: str, figures: dict) -> list[dict]:
    """One row per `name`, in the master's order (the sort column joins the GROUP BY, not the rows)."""
    return list(queryset.values(name).annotate(**figures).order_by(sort, name))


@dataclass(frozen=True)
class ReferralReport:
    """Referral figures of a fiscal year: by the receiving category, by ward, declines by reason, and the total."""

    fiscal_year: int
    label: str
    ward: str | None
    by_category: list[dict]
    by_ward: list[dict]
    total: dict
    declines: list[dict]

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


def referral_report(*, municipality, fiscal_year: int, ward=None, today: dt.date | None = None) -> ReferralReport:
    """The figures of a fiscal year, for all wards or one.

    Rows carry sent / accepted / declined / withdrawn / waiting / completed / overdue and the median days
    from sending to the answer (受理 or 辞退), one decimal. Four queries whatever the volume.
    """
    today = today or timezone.localdate()
    base = scoped(Referral.all_objects.in_fiscal_year(fiscal_year), municipality=municipality)
    if ward is not None:
        base = base.filter(case_ward=ward)
    base = base.order_by()
    figures = _figures(today)
    by_category = [_row(row.pop(CATEGORY) or _("区役所（つながる体制推進員）"), row)
                   for row in _grouped(base, CATEGORY, "to_agency__category__sort_order", figures)]
    by_ward = [_row(row.pop(WARD), row) for row in _grouped(base, WARD, "case_ward__sort_order", figures)]
    declines = _grouped(base.filter(status=ReferralStatus.DECLINED), "decline_reason__name", "decline_reason__sort_order",
                        {"count": Count("pk")})
    total = _row(TOTAL, base.aggregate(**figures))
    return ReferralReport(
        fiscal_year=fiscal_year, label=fiscal_year_label(fiscal_year), ward=ward.name if ward else None,
        by_category=by_category, by_ward=by_ward, total=total,
        declines=[{"label": d["decline_reason__name"], "count": d["count"]} for d in declines],
    )
