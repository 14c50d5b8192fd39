"""Walk the audit chains and name the first event that breaks each one (`manage.py verify_audit`, audit.chain).

What is found, and what it means:
- a hash that does not match the event's fields and the hash before it: the event was changed (an UPDATE past
  the trigger) or written in the database by hand;
- a seq that skips numbers: events were deleted from the middle of the chain;
- a chain that ends before its head (AuditChainHead) says it does: events were deleted from its end or the
  table was emptied (TRUNCATE);
- events after the head, or a chain without its head: rows written, or the head removed, past the application.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from . import chain
from .models import AuditChainHead, AuditEvent

CHUNK = 2000


@dataclass
class Break:
    chain: int
    seq: int | None
    event_id: int | None
    message: str

    def __str__(self):
        where = _("チェーン %(chain)s") % {"chain": self.chain or _("自治体なし")}
        if self.event_id is not None:
            where += _("・連番 %(seq)s（イベントID %(id)s）") % {"seq": self.seq, "id": self.event_id}
        return f"{where}: {self.message}"


@dataclass
class ChainReport:
    chain: int
    events: int
    head_seq: int
    head_hash: str
    broken: Break | None = None


def _walk(key: int, head: AuditChainHead | None) -> ChainReport:
    events = AuditEvent.objects.filter(municipality_id=key or None).order_by("seq")
    report = ChainReport(chain=key, events=0, head_seq=head.seq if head else 0, head_hash=head.hash if head else "")
    expected, previous, last_id = 1, "", None
    for row in events.values("pk", "hash", *chain.FIELDS).iterator(chunk_size=CHUNK):
        report.events += 1
        if row["seq"] != expected:
            if row["seq"] < expected:  # the unique constraint was dropped and a seq written twice
                message = _("連番が重複しています（同じ連番の記録が二つあります）。")
            else:
                message = (_("連番 %(first)s〜%(last)s の記録がありません（削除されています）。")
                           % {"first": expected, "last": row["seq"] - 1})
            report.broken = Break(key, row["seq"], row["pk"], message)
            return report
        if chain.digest(row, previous) != row["hash"]:
            message = _("ハッシュが一致しません（記録が書き換えられたか、データベースに直接書き込まれています）。")
            if expected == 1:
                message += _("最初の記録から一致しない場合は、AUDIT_CHAIN_KEY（または SECRET_KEY）が変わった可能性もあります。")
            report.broken = Break(key, row["seq"], row["pk"], message)
            return report
        previous, last_id, expected = row["hash"], row["pk"], expected + 1
    last_seq = expected - 1
    if head is None:
        if last_seq:
            report.broken = Break(key, last_seq, last_id, _("このチェーンの末尾の記録（AuditChainHead）がありません。"))
    elif head.seq > last_seq:
        report.broken = Break(key, last_seq + 1, None, _(
            "末尾の記録では連番 %(head)s まであるはずですが、%(last)s で終わっています（連番 %(first)s〜%(head)s が"
            "削除されたか、表が空にされています）。") % {"head": head.seq, "last": last_seq, "first": last_seq + 1})
    elif head.seq < last_seq:
        report.broken = Break(key, head.seq + 1, None, _(
            "末尾の記録（連番 %(head)s）より後に記録があります（アプリケーションを通さずに書き込まれています）。")
            % {"head": head.seq})
    elif head.hash != previous:
        report.broken = Break(key, last_seq, last_id, _("末尾の記録のハッシュが最後の記録と一致しません。"))
    return report


def verify_chains(chains: list[int] | None = None) -> list[ChainReport]:
    """Every chain (or the ones named), in order: chain 0 (no municipality) first, then by municipality id."""
    heads = {head.chain: head for head in AuditChainHead.objects.all()}
    keys = set(heads) | {chain.chain_key(m) for m in AuditEvent.objects.values_list("municipality_id", flat=True)
                         .order_by().distinct()}
    if chains is not None:
        keys &= set(chains)
    return [_walk(key, heads.get(key)) for key in sorted(keys)]


def check_anchor(key: int, seq: int, expected: str) -> Break | None:
    """A hash written down earlier (a head printed by verify_audit, a line of the auditor's CSV export) must still
    be the hash of that event: a chain rewritten from that point on, keys and all, is found against it."""
    row = AuditEvent.objects.filter(municipality_id=key or None, seq=seq).values("pk", "hash").first()
    if row is None:
        return Break(key, seq, None, _("控えてある連番 %(seq)s の記録がありません。") % {"seq": seq})
    if row["hash"] != expected:
        return Break(key, seq, row["pk"], _("控えてあるハッシュと一致しません（記録が作り直されています）。"))
    return None
