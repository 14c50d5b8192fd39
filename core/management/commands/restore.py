"""python manage.py restore FILE [--force] [--url DATABASE_URL]  (`make restore FILE=…`)

Checks FILE against the manifest beside it (sha256), restores it into the database the settings point at (or
--url) in one transaction, and checks the rows of every table against the manifest: core.backup. A database
that already has tables is refused unless --force.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import backup
from core.management.commands.backup import target


class Command(BaseCommand):
    help = gettext_lazy("バックアップ（manage.py backup で作ったもの）を復元します。先にマニフェストの SHA-256 を確かめ、"
                        "復元後に表ごとの行数を照合します。表のあるデータベースには --force なしでは復元しません。")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("バックアップファイル（.dump）"))
        parser.add_argument("--force", action="store_true", help=_("表のあるデータベースでも、今の内容を消して復元する"))
        parser.add_argument("--url", help=_("設定とは別のデータベースの接続URL（例: 表の所有者のロールで接続する）"))

    def handle(self, *args, file, force=False, url=None, **options):
        try:
            manifest = backup.restore(Path(file), target(url), force=force)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(_("復元しました: %(file)s（%(created)s に作成、表 %(tables)s 個の行数はマニフェストと一致）")
                          % {"file": file, "created": manifest["created_at"], "tables": len(manifest["row_counts"])})
        self.stdout.write(_("アプリケーション用のロールを使う構成では、表の所有者で manage.py grant_app_role を実行して"
                            "権限を与え直してください。監査ログの検証（manage.py verify_audit）には、バックアップ時と同じ"
                            "AUDIT_CHAIN_KEY（未設定なら DJANGO_SECRET_KEY）が必要です。"))
