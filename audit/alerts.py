"""Login security on the trail: lifted login stops, second factors, and one alert per burst of failed logins.

A burst is LOGIN_ALERT_FAILURES failed logins (wrong passwords or wrong second-factor codes) from one address, or
against one login ID, within LOGIN_ALERT_WINDOW. It raises one 「警告」 event — not one per failure — in the
municipality of each account it aimed at, so that city's auditor sees it in their list. When it aimed at no
existing account (made-up login IDs), every municipality gets it: the login page is shared, and an alert nobody
can see is no alert. An event names only its own city's login IDs, and counts the rest.
"""

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import connection, transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from accounts.signals import lockout_cleared, two_factor_changed
from agencies.models import Municipality

from . import signals  # noqa: F401  (its LOGIN_FAILED receiver must be connected before the burst check)
from .models import Action, AuditEvent
from .services import audit_record, client_ip


@receiver(lockout_cleared)
def _lockout_cleared(sender, user, actor, request=None, attempts=0, **kwargs):
    audit_record(action=Action.UNLOCK, request=request, user=actor, obj=user, municipality=user.municipality_id,
                 detail={"username": user.get_username(), "attempts": attempts})


@receiver(two_factor_changed)
def _two_factor_changed(sender, user, actor, event, request=None, **kwargs):
    detail = {"event": event, "username": user.get_username()}
    detail.update({key: kwargs[key] for key in ("method", "devices") if key in kwargs})
    audit_record(action=Action.TWO_FACTOR, request=request, user=actor, obj=user, municipality=user.municipality_id,
                 detail=detail)


def _already_alerted(*, key: str, value: str, since) -> bool:
    return AuditEvent.objects.filter(action=Action.ALERT, at__gte=since, **{f"detail__{key}": value}).exists()


@receiver(user_login_failed)
def _login_failure_burst(sender, credentials, request=None, **kwargs):
    """Runs after audit.signals has written this failure (imported above, so its receiver is connected first)."""
    since = timezone.now() - settings.LOGIN_ALERT_WINDOW
    value = {"address": client_ip(request), "login_id": str(credentials.get("username") or "")[:150]}
    failures = AuditEvent.objects.filter(action=Action.LOGIN_FAILED, at__gte=since)
    scopes = {"address": failures.filter(ip=value["address"]) if value["address"] else None,
              "login_id": failures.filter(username=value["login_id"]) if value["login_id"] else None}
    counts = {key: rows.count() for key, rows in scopes.items() if rows is not None}
    crossed = {key for key, count in counts.items() if count >= settings.LOGIN_ALERT_FAILURES}
    if not crossed:
        return
    with transaction.atomic():
        with connection.cursor() as cursor:  # one alert per burst, however many workers see it cross at once
            for key in sorted(crossed):
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"login-alert:{key}:{value[key]}"])
        crossed = {key for key in crossed if not _already_alerted(key=key, value=value[key], since=since)}
        if not crossed:
            return
        rows = failures.none()
        for key in crossed:
            rows = rows | scopes[key]
        _raise_alert(crossed=crossed, value=value, counts=counts, usernames=set(rows.values_list("username", flat=True)))


def _raise_alert(*, crossed: set[str], value: dict, counts: dict, usernames: set[str]) -> None:
    accounts = dict(User.objects.filter(username__in=usernames).values_list("username", "municipality_id"))
    cities = {city for city in accounts.values() if city is not None}
    if not cities:
        cities = set(Municipality.objects.values_list("pk", flat=True))
    for city in sorted(cities):
        own = sorted(name for name, their_city in accounts.items() if their_city == city)
        detail = {
            "reason": "login_failures",
            "window_minutes": int(settings.LOGIN_ALERT_WINDOW.total_seconds() // 60),
            "threshold": settings.LOGIN_ALERT_FAILURES,
            **{key: value[key] for key in crossed},
            **{f"failures_by_{key}": counts[key] for key in crossed},
            "login_ids": own,  # this city's accounts only
            "other_login_ids": len(usernames) - len(own),
        }
        audit_record(action=Action.ALERT, municipality=city, object_label=_label(crossed), detail=detail)


def _label(crossed: set[str]) -> str:
    if crossed == {"address"}:
        return gettext("同じアドレスからのログイン失敗の連続")
    if crossed == {"login_id"}:
        return gettext("同じログインIDへのログイン失敗の連続")
    return gettext("同じアドレス・ログインIDへのログイン失敗の連続")
