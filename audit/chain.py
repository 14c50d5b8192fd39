"""The audit trail as hash chains: tamper evidence for what the append-only trigger cannot stop (#15).

Every event belongs to the chain of its municipality (events that name none form chain 0) and carries
`seq` (1, 2, 3 … in its chain, without gaps) and `hash`, an HMAC-SHA256 over a canonical serialisation of its
fields and the hash of the event before it. `AuditChainHead` keeps each chain's last seq and hash, written in
the same transaction as the event, so that events removed from the end of a chain (a DELETE of the tail, a
TRUNCATE) are missed against it. `python manage.py verify_audit` walks the chains (audit.verify).

The key is `settings.AUDIT_CHAIN_KEY` (else one derived from SECRET_KEY): someone who can write to the
database but does not hold the key cannot recompute the hashes of rows they changed.

Writing one event costs three queries: the head row is locked and read in one statement (an upsert, so the
first event of a new chain needs nothing more), the event is inserted, the head is moved on. The head's row
lock, held until the transaction ends, is what keeps two concurrent writers from forking a chain (the unique
(municipality, seq) constraint would refuse a fork anyway).
"""

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
from collections.abc import Iterable

from django.conf import settings
from django.db import connections
from django.utils import timezone

# The fields a hash covers, in this order. Adding one means a new version of the serialisation.
FIELDS = ("seq", "at", "municipality_id", "user_id", "username", "action", "object_type", "object_id",
          "object_label", "ip", "user_agent", "path", "detail")
NO_MUNICIPALITY = 0


def chain_key(municipality_id) -> int:
    return municipality_id or NO_MUNICIPALITY


def _key() -> bytes:
    secret = getattr(settings, "AUDIT_CHAIN_KEY", "") or settings.SECRET_KEY
    return hashlib.sha256(b"tsunagaru-audit-chain\x00" + secret.encode()).digest()


def _plain_json(value):
    """The detail as PostgreSQL's jsonb gives it back: a float written with an exponent that is a whole number
    (1e+20) comes back as an integer."""
    if isinstance(value, dict):
        return {key: _plain_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain_json(item) for item in value]
    if isinstance(value, float) and value.is_integer() and "e" in repr(value):
        return int(value)
    return value


def _ip(value) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return str(value)


def canonical(fields: dict) -> bytes:
    """One event's fields as the bytes its hash covers; `fields` as `.values(*FIELDS)` reads them back."""
    at = fields["at"]
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    detail = _plain_json(json.loads(json.dumps(fields["detail"] or {})))
    values = {**fields, "at": at.astimezone(dt.UTC).isoformat(), "ip": _ip(fields["ip"]), "detail": detail}
    return json.dumps([values[name] for name in FIELDS], ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode()


def digest(fields: dict, previous: str) -> str:
    return hmac.new(_key(), previous.encode() + b"\n" + canonical(fields), hashlib.sha256).hexdigest()


def _fields(event) -> dict:
    return {name: getattr(event, name) for name in FIELDS}


LOCK_HEAD = """
INSERT INTO audit_auditchainhead (chain, seq, hash) VALUES (%s, 0, '')
ON CONFLICT (chain) DO UPDATE SET chain = EXCLUDED.chain
RETURNING seq, hash
"""


def seal(events: Iterable, using: str = "default") -> dict[int, tuple[int, str]]:
    """Give unsaved events their seq and hash, locking the head of each chain they join (in chain order, so two
    writers of several chains cannot deadlock). Call inside a transaction; save the events, then `advance`."""
    chains: dict[int, list] = {}
    for event in events:
        if timezone.is_naive(event.at):
            event.at = timezone.make_aware(event.at)
        chains.setdefault(chain_key(event.municipality_id), []).append(event)
    heads = {}
    with connections[using].cursor() as cursor:
        for key in sorted(chains):
            cursor.execute(LOCK_HEAD, [key])
            seq, previous = cursor.fetchone()
            for event in chains[key]:
                seq += 1
                event.seq = seq
                event.hash = digest(_fields(event), previous)
                previous = event.hash
            heads[key] = (seq, previous)
    return heads


def advance(heads: dict[int, tuple[int, str]], using: str = "default") -> None:
    with connections[using].cursor() as cursor:
        for key, (seq, last) in heads.items():
            cursor.execute("UPDATE audit_auditchainhead SET seq = %s, hash = %s WHERE chain = %s", [seq, last, key])
