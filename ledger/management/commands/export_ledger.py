"""Export meetings as a つながる場 開催台帳 (format v1, DOMAIN.md §7) that import_ledger reads back.

    python manage.py export_ledger --municipality 大阪市 [--ward 北区] [--fy 2020] [--format xlsx|csv] -o 台帳.xlsx

The file holds case numbers and what was discussed about each case, so every export leaves an audit event
(出力); --user names the person it is recorded against.
"""

import os
import unicodedata
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Municipality, Ward
from core import wareki
from ledger.export import FORMATS, ledger_export


def parse_fiscal_year(text: str) -> int:
    """「2020」「2020年度」「令和2年度」「R2」「平成30年度」 → 2020 … (core.wareki.parse_fiscal_year, as the export
    page reads it); ValueError with the reason in Japanese."""
    try:
        fy = wareki.parse_fiscal_year(text)
    except wareki.DateError:
        raise ValueError(_("年度「%(value)s」を読めません。2020 や 令和2年度 のように指定してください。") % {"value": text}) from None
    latest = wareki.fiscal_year(timezone.localdate())
    if not wareki.EARLIEST.year <= fy <= latest:
        raise ValueError(_("年度「%(value)s」は範囲外です（%(first)d〜%(last)d年度）。")
                         % {"value": text, "first": wareki.EARLIEST.year, "last": latest})
    return fy


class Command(BaseCommand):
    help = gettext_lazy("つながる場の開催台帳（形式 v1）を Excel（.xlsx）か CSV で出力します。"
                        "import_ledger でそのまま取り込めます。")
    # No system checks: they import every URL conf and view (half the start-up). The server and `manage.py check`
    # run them (docs/benchmarks/startup.md).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help=_("自治体名（例: 大阪市）"))
        parser.add_argument("--ward", help=_("区・圏域の名前（省略時は全区）"))
        parser.add_argument("--fy", help=_("年度（例: 2020、令和2年度。省略時は全年度）"))
        parser.add_argument("--format", choices=FORMATS, help=_("xlsx か csv（省略時は出力先の拡張子から。既定は xlsx）"))
        parser.add_argument("-o", "--output", required=True, help=_("出力先のファイル"))
        parser.add_argument("--user", help=_("監査記録に残す利用者のログインID"))

    def handle(self, *args, municipality, ward, fy, format, output, user, **options):
        city = Municipality.objects.filter(name=unicodedata.normalize("NFKC", municipality).strip()).first()
        if city is None:
            raise CommandError(_("「%(name)s」という自治体は登録されていません。") % {"name": municipality})
        ward_obj = None
        if ward:
            ward_obj = Ward.objects.filter(municipality=city, name=unicodedata.normalize("NFKC", ward).strip()).first()
            if ward_obj is None:
                names = "、".join(Ward.objects.filter(municipality=city).order_by("sort_order", "pk")
                                 .values_list("name", flat=True))
                raise CommandError(_("「%(ward)s」という区・圏域は%(city)sにありません。使える名前：%(names)s")
                                   % {"ward": ward, "city": city.name, "names": names})
        fiscal_year = None
        if fy:
            try:
                fiscal_year = parse_fiscal_year(fy)
            except ValueError as error:
                raise CommandError(str(error)) from None
        path = Path(output)
        fmt = self._format(format, path)
        person = self._user(user, city)
        # Written beside the target and renamed at the end: a failed export leaves no half-written ledger.
        partial = path.with_name(path.name + ".part")
        try:
            result = ledger_export(municipality=city, ward=ward_obj, fiscal_year=fiscal_year, fmt=fmt, output=partial,
                                   user=person)
            os.replace(partial, path)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(_("%(path)s に書き込めません：%(error)s") % {"path": output, "error": error.strerror or error}) from None
        self.stdout.write(_("%(path)s に%(rows)d行（つながる場など %(meetings)d回）を出力しました。")
                          % {"path": output, "rows": result.rows, "meetings": result.meetings})
        if result.left_out:
            self.stdout.write(_("開催根拠がない、または事例を協議していない会議 %(count)d回は、台帳の形式で表せないため出力していません。")
                              % {"count": result.left_out})
        if result.merged_participants:
            self.stdout.write(_("同じ種別の機関が複数出席した会議が %(count)d回あります。台帳では種別ごとに1機関として数えます。")
                              % {"count": result.merged_participants})

    def _format(self, fmt, path: Path) -> str:
        suffix = path.suffix.lower().lstrip(".")
        if fmt and suffix in FORMATS and suffix != fmt:
            raise CommandError(_("出力先の拡張子（.%(suffix)s）と形式（%(format)s）が合いません。取り込むときは拡張子で形式を判断します。")
                               % {"suffix": suffix, "format": fmt})
        return fmt or (suffix if suffix in FORMATS else "xlsx")

    def _user(self, username, city):
        if not username:
            return None
        person = get_user_model().objects.filter(username=username, municipality=city).first()
        if person is None:
            raise CommandError(_("ログインID「%(user)s」の利用者は%(city)sにいません。") % {"user": username, "city": city.name})
        return person
