"""Delete uploaded ledger files that are no longer needed (#15 item 9: rejected uploads are not kept).

    python manage.py purge_uploads [--dry-run]

A ledger file holds case numbers and what was discussed about each case. An import that is done, cancelled
or a duplicate deletes its file at once; a rejected, failed or checked-but-never-confirmed one keeps it, to be
checked again or retried, for settings LEDGER_REJECTED_UPLOAD_DAYS (default 30) after it ended. This command
(run daily, e.g. from cron or a systemd timer) deletes them after that, and files in the ledger storage that
no job names (left by a crash between storing an upload and recording its job) after a day. Each deleted
file is one audit event (削除) naming the job and the size, never the file's name or content.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ledger.purge import purge_uploads


class Command(BaseCommand):
    help = gettext_lazy("保存期間（LEDGER_REJECTED_UPLOAD_DAYS）を過ぎた取り込みのファイルと、どの取り込みにも属さないファイルを削除します。")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help=_("削除するファイルを数えるだけで、何も削除しない"))

    def handle(self, *args, dry_run=False, **options):
        result = purge_uploads(dry_run=dry_run)
        verb = _("削除します（確認のみ）") if dry_run else _("削除しました")
        self.stdout.write(_("保存期間（%(days)d日）を過ぎた取り込みのファイル %(jobs)d件、どの取り込みにも属さないファイル %(orphans)d件を%(verb)s（%(bytes)s バイト）。")
                          % {"days": result.days, "jobs": len(result.jobs), "orphans": len(result.orphans),
                             "verb": verb, "bytes": f"{result.bytes:,}"})
