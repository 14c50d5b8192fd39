"""python manage.py verify_audit [--chain N …] [--anchor CHAIN:SEQ:HASH …]

Walks every audit chain (audit.chain, audit.verify) and exits with status 1, naming the first broken event of
each broken chain, after any UPDATE, DELETE or TRUNCATE done in PostgreSQL past the append-only trigger. Each
chain's head (its last seq and hash) is printed: kept somewhere else (with the backups, on paper), it is an
anchor a later run checks with --anchor, which finds even a chain rebuilt from that point on.
"""

import re

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.verify import check_anchor, verify_chains

ANCHOR = re.compile(r"^(\d+):(\d+):([0-9a-f]{64})$")


class Command(BaseCommand):
    help = gettext_lazy("監査ログのハッシュチェーンを検証します。改ざん（書き換え・削除・表の消去）があれば、"
                        "最初に壊れている記録を示して終了コード 1 で終わります。")

    def add_arguments(self, parser):
        parser.add_argument("--chain", type=int, action="append",
                            help=_("検証するチェーン（自治体のID。自治体のない記録は 0）。省略時はすべて"))
        parser.add_argument("--anchor", action="append", default=[], metavar="CHAIN:SEQ:HASH",
                            help=_("以前に控えたチェーンの末尾（チェーン:連番:ハッシュ）。その記録が今も同じか確かめます"))

    def handle(self, *args, chain=None, anchor=(), **options):
        anchors = []
        for text in anchor:
            match = ANCHOR.match(text.strip())
            if match is None:
                raise CommandError(_("--anchor は「チェーン:連番:ハッシュ（64桁の16進数）」の形で指定してください: %(value)s")
                                   % {"value": text})
            anchors.append((int(match[1]), int(match[2]), match[3]))
        broken = []
        for report in verify_chains(chain):
            if report.broken is not None:
                broken.append(report.broken)
                self.stderr.write(_("改ざんを検出しました。%(break)s") % {"break": report.broken})
            else:
                self.stdout.write(_("チェーン %(chain)s: %(events)s件 正常（末尾 %(chain)s:%(seq)s:%(hash)s）")
                                  % {"chain": report.chain, "events": report.events, "seq": report.head_seq,
                                     "hash": report.head_hash or "-"})
        for key, seq, expected in anchors:
            found = check_anchor(key, seq, expected)
            if found is not None:
                broken.append(found)
                self.stderr.write(_("改ざんを検出しました。%(break)s") % {"break": found})
        if broken:
            raise CommandError(_("監査ログの検証に失敗しました（%(count)s件）。最初の異常: %(first)s")
                               % {"count": len(broken), "first": broken[0]}, returncode=1)
        self.stdout.write(_("監査ログは改ざんされていません。"))
