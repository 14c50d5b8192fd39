import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import models, transaction

from .models import Action, AuditEvent

_batch: ContextVar[list | None] = ContextVar("audit_batch", default=None)


@contextmanager
def audit_batch() -> Iterator[None]:
    """Events recorded inside are written together on leaving, in the order recorded: one lock of the chain's head,
    one insert and one move of the head (three queries) for a page that audits several lists, instead of three
    queries each. An exception inside writes none of them: what they recorded was not shown (and a request's
    transaction is rolled back anyway). Nested batches write with the outermost."""
    if _batch.get() is not None:
        yield
        return
    events: list[AuditEvent] = []
    token = _batch.set(events)
    try:
        yield
    finally:
        _batch.reset(token)
    # A transaction already marked for rollback (an API error answered by DRF) keeps nothing anyway.
    if events and not transaction.get_connection(AuditEvent.objects.db).needs_rollback:
        AuditEvent.objects.bulk_create(events)


READS = frozenset({"GET", "HEAD"})


def audit_at_the_end(view):
    """Wrap a view so that a page that only reads (GET, HEAD) writes its audit events as it returns, inside the
    request's transaction (ATOMIC_REQUESTS wraps this wrapper): the lock on the chain's head (audit.chain) is
    then held only from that write to the commit, not while the page is built, so that pages audited in the same
    municipality do not wait on each other. Writes (POST …) keep writing each event where it is recorded.
    config.urls wraps every view with it."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in READS:
            return view(request, *args, **kwargs)
        with audit_batch():
            return view(request, *args, **kwargs)

    return wrapper


def client_ip(request) -> str | None:
    if request is None:
        return None
    if settings.AUDIT_TRUST_X_FORWARDED_FOR:
        # The last entry is the one the city's own proxy appended; earlier ones the client can forge.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR") or None


def object_reference(obj: models.Model) -> tuple[str, str, str]:
    """(type, id, label) for an object; the label names the kind and number, never the person."""
    meta = obj._meta
    return meta.label_lower, str(obj.pk), f"{meta.verbose_name} #{obj.pk}"


def _municipality_of(obj: models.Model | None) -> int | None:
    """The municipality a record belongs to, read from the record itself (no query): the municipality, or a
    record with a municipality column."""
    if obj is None:
        return None
    if obj._meta.label_lower == "agencies.municipality":
        return obj.pk
    return getattr(obj, "municipality_id", None)


def audit_record(
    *,
    action: Action | str,
    request=None,
    user=None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    detail: dict | None = None,
    username: str = "",
    municipality=None,
) -> AuditEvent:
    """Write one audit event. Call it from the service or view that reads or changes personal data.

    `municipality` names the city whose auditor sees the event when the acting user has none of their own
    (the system operator) or acts on another city's record; by default it is the acting user's, else the record's
    (a command run without --user that exports a municipality's ledger is still that municipality's event)."""
    if user is None and request is not None and request.user.is_authenticated:
        user = request.user
    if obj is not None:
        object_type, object_id, object_label = object_reference(obj)
    event = AuditEvent(
        action=action,
        user=user,
        username=username or (user.get_username() if user else ""),
        municipality_id=(getattr(municipality, "pk", municipality) if municipality is not None
                         else getattr(user, "municipality_id", None) or _municipality_of(obj)),
        object_type=object_type,
        object_id=object_id,
        object_label=str(object_label),
        ip=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request else ""),
        # The path without its query string: search terms (names, phone numbers) never reach the trail.
        path=(request.path[:500] if request else ""),
        detail=detail or {},
    )
    batch = _batch.get()
    if batch is not None:
        batch.append(event)
    else:
        event.save(force_insert=True)
    return event


def sign_in_municipality(username: str) -> int | None:
    """The municipality a failed sign-in or a lockout belongs to, so that its auditor sees it: the named user's;
    for a name that is no user's, the installation's only municipality; with several, none (those events are
    shown to every auditor, audit.selectors.UNATTRIBUTED_ACTIONS)."""
    from accounts.models import User
    from agencies.models import Municipality

    found = User.objects.filter(username=username).values_list("municipality_id", flat=True).first() if username else None
    if found is not None:
        return found
    only = list(Municipality.objects.values_list("pk", flat=True)[:2])
    return only[0] if len(only) == 1 else None


def audit_list(*, request, model: type[models.Model], objects, detail: dict | None = None) -> AuditEvent:
    """One event for a page listing personal records, naming every record that was shown."""
    meta = model._meta
    ids = [obj.pk for obj in objects]
    return audit_record(
        action=Action.LIST,
        request=request,
        object_type=meta.label_lower,
        object_label=str(meta.verbose_name_plural),
        detail={"ids": ids, **(detail or {})},
    )
