"""Which households the retention period has run out for, and the policy of a municipality."""

import datetime as dt

from django.db.models import Exists, F, OuterRef, QuerySet, Subquery

from cases.models import Case, CaseStatus, Household

from .models import DEFAULT_YEARS, Anonymisation, ErasureRequest, RetentionPolicy


def retention_years(municipality) -> int:
    """The administrator's period for the municipality, or the default (5 years) while none is set."""
    policy = RetentionPolicy.objects.filter(municipality=municipality).first()
    return policy.years if policy else DEFAULT_YEARS


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day `years` years earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def expired_households(*, municipality, today: dt.date, years: int) -> QuerySet[Household]:
    """Households (not merged into another) whose cases are all 終結, each closed before `today` − `years`, and
    not anonymised since the last of them closed. A suspended (中断) case may be resumed: it keeps the household.
    Annotated with `last_closed`."""
    cutoff = years_before(today, years)
    cases = Case.all_objects.filter(household_id=OuterRef("pk"))
    anonymised = Anonymisation.objects.filter(household_id=OuterRef("pk"), member__isnull=True,
                                              anonymised_at__date__gte=OuterRef("last_closed"))
    return (
        Household.all_objects.filter(municipality=municipality, merged_into__isnull=True)
        .filter(Exists(cases))
        .exclude(Exists(cases.exclude(status=CaseStatus.CLOSED)))
        .exclude(Exists(cases.filter(closed_on__gte=cutoff)))
        .annotate(last_closed=Subquery(cases.order_by(F("closed_on").desc(nulls_last=True)).values("closed_on")[:1]))
        .exclude(Exists(anonymised))
        .order_by("last_closed", "pk")
    )


def erasure_requests_for(user) -> QuerySet[ErasureRequest]:
    return ErasureRequest.objects.for_user(user).select_related("requested_by", "first_approved_by", "second_approved_by",
                                                                 "rejected_by")


def last_anonymisation(household) -> Anonymisation | None:
    return Anonymisation.objects.filter(household=household, member__isnull=True).order_by("-anonymised_at", "-pk").first()
