"""The cross-ward duplicate probe, limited and audited (#15 item 13).

Before a household is registered, the coordinator is shown households with the same kana and birth date or the
same address — in other wards too, by ward and count. That answers "is this person known somewhere in the
city?", so it is a search over the whole municipality: each probe is counted per user in the shared cache
(settings.CACHES, one database cache for every web process and the worker, so the count holds across workers)
and refused over the limit, and each is written to the audit trail naming which fields were looked up and how
many households matched — never the values looked up.
"""

import datetime as dt

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import audit_record
from cases.models import Household
from cases.selectors import Duplicates, duplicate_conditions, household_duplicates

PROBE_LIMIT = 30  # probes per user …
PROBE_WINDOW = 10 * 60  # … in this many seconds, counted from the first one


def probe_key(user) -> str:
    return f"cases:duplicate-probe:{user.pk}"


def _count(user) -> int:
    """This probe's number in the user's current window (the window starts with its first probe)."""
    key = probe_key(user)
    cache.add(key, 0, timeout=PROBE_WINDOW)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=PROBE_WINDOW)
        return 1


def duplicate_probe(*, request, kana: str, birth_date: dt.date | None, address: str) -> Duplicates:
    """household_duplicates for the signed-in user, counted and audited. Over the limit: ValidationError
    (code "rate_limited") with a Japanese message, and the refusal is audited too (no lookup is done)."""
    user = request.user
    _same, fields = duplicate_conditions(kana=kana, birth_date=birth_date, address=address)
    count = _count(user)
    meta = Household._meta
    if count > PROBE_LIMIT:
        audit_record(action=Action.SEARCH, request=request, object_type=meta.label_lower,
                     object_label=_("重複の確認"), detail={"probe": "duplicates", "fields": fields, "refused": True,
                                                        "count": count})
        raise ValidationError(
            _("重複の確認が短い時間に多すぎます（%(minutes)d 分間に %(limit)d 回まで）。しばらく待ってから、もう一度お試しください。")
            % {"minutes": PROBE_WINDOW // 60, "limit": PROBE_LIMIT},
            code="rate_limited",
        )
    duplicates = household_duplicates(user=user, kana=kana, birth_date=birth_date, address=address)
    elsewhere = sum(count for _ward, count in duplicates.elsewhere)
    audit_record(action=Action.SEARCH, request=request, object_type=meta.label_lower, object_label=_("重複の確認"),
                 detail={"probe": "duplicates", "fields": fields, "matches": len(duplicates.mine) + elsewhere,
                         "elsewhere": elsewhere,
                         # the households shown, so that "who looked at this household" finds the probe too
                         "ids": [household.pk for household in duplicates.mine]})
    return duplicates
