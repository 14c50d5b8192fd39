"""python manage.py backup [--dir FOLDER] [--url DATABASE_URL]  (`make backup`)

pg_dump (custom format) of the database the settings point at, into BACKUP_DIR (backups/ by default) with a
manifest beside it: core.backup. Copy both files off the server (docs/deployment.md).
"""

from pathlib import Path

import environ
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import backup


def target(url: str | None) -> backup.Database:
    return backup.Database.from_settings(environ.Env.db_url_config(url) if url else settings.DATABASES["default"])


class Command(BaseCommand):
    help = gettext_lazy("データベースを pg_dump（カスタム形式）でバックアップし、マニフェスト（日時・版・マイグレーション・"
                        "表ごとの行数・SHA-256）を横に置きます。")

    def add_arguments(self, parser):
        parser.add_argument("--dir", help=_("保存先のフォルダー（既定: 設定の BACKUP_DIR）"))
        parser.add_argument("--url", help=_("設定とは別のデータベースの接続URL"))

    def handle(self, *args, dir=None, url=None, **options):
        try:
            dump = backup.backup(target(url), Path(dir or settings.BACKUP_DIR))
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(_("バックアップしました: %(dump)s（マニフェスト %(manifest)s）")
                          % {"dump": dump, "manifest": backup.manifest_path(dump)})
