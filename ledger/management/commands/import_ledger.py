"""Import a つながる場 開催台帳 (.xlsx or .csv, DOMAIN.md §7 format v1).

    python manage.py import_ledger 台帳.xlsx --municipality 大阪市 [--dry-run] [--progress | --no-progress]
        [--separate 行 …]

All or nothing: a file with bad rows imports nothing, every bad row is listed, and the exit status is 1.
Importing the same file again creates nothing, and rows of one file that are one meeting (same 事例番号,
開催日, 会議種別 and 開催根拠) are written once and listed, unless `--separate` names the first row of their group. On a terminal a progress bar shows each pass over the file
(checking, then writing); Ctrl+C stops the import and leaves nothing behind.
"""

import argparse
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from agencies.models import Municipality
from core.wareki import fiscal_year_label, format_datetime
from ledger.importer import LedgerRejected, import_ledger
from ledger.parsing import LedgerFile, estimate_rows

PHASES = {"check": "確認", "import": "書き込み"}


class Bar:
    """One tqdm bar per pass, on stderr."""

    def __init__(self, stream, total, enabled):
        self.stream, self.total, self.enabled = stream, total, enabled
        self.bars = {}

    def __call__(self, phase, done, total):
        if not self.enabled:
            return
        bar = self.bars.get(phase)
        if bar is None:
            for other in self.bars.values():
                other.close()
            bar = self.bars[phase] = tqdm(total=total or self.total or None, desc=PHASES.get(phase, phase), unit="行",
                                          file=self.stream, dynamic_ncols=True, mininterval=0.2)
        bar.update(done - bar.n)

    def close(self):
        for bar in self.bars.values():
            bar.close()


class Command(BaseCommand):
    help = "つながる場の開催台帳（.xlsx・.csv）を取り込みます。誤りのある行が一つでもあれば何も取り込みません。"
    # No system checks: they import every URL conf and view (half the start-up). The server and `manage.py check`
    # run them (docs/benchmarks/startup.md).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="台帳のファイル（.xlsx または .csv）")
        parser.add_argument("--municipality", required=True, help="自治体名（例: 大阪市）")
        parser.add_argument("--dry-run", action="store_true", help="確認だけして、何も登録しない")
        parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                            help="進み具合を表示する（既定: 端末のときだけ）")
        parser.add_argument("--separate", type=int, nargs="+", default=[], metavar="行",
                            help="同じ会議と示された行の組のうち、別の会議として取り込む組（最初の行の番号）")

    def handle(self, *args, file, municipality, dry_run, progress=None, separate=(), **options):
        city = Municipality.objects.filter(name=municipality).first()
        if city is None:
            raise CommandError(f"自治体「{municipality}」がありません。先に setup_municipality で登録してください。")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"ファイル {file} がありません。")
        ledger = LedgerFile.from_path(path)
        enabled = sys.stderr.isatty() if progress is None else progress
        bar = Bar(self.stderr._out, estimate_rows(ledger), enabled)
        try:
            result = import_ledger(municipality=city, file=ledger, dry_run=dry_run, progress=bar, separate=separate)
        except KeyboardInterrupt:
            bar.close()
            raise CommandError("中断しました。何も登録していません。") from None
        except LedgerRejected as rejected:
            bar.close()
            for error in rejected.errors:
                where = f"{error.row}行目 {error.column}" if error.row else "ファイル"
                hint = f"（近い名称: {error.closest}）" if error.closest else ""
                self.stderr.write(f"{where}「{error.value}」: {error.reason}{hint}")
            raise CommandError(str(rejected)) from None
        bar.close()
        if result.already_imported is not None:
            when = format_datetime(result.already_imported.imported_at)
            self.stdout.write(f"このファイルは {when} に取り込み済みです。何も登録しませんでした。")
            return
        years = "、".join(f"{fiscal_year_label(int(fy))} {n}回" for fy, n in sorted(result.per_fiscal_year.items()))
        verb = "取り込めます（確認のみ）" if dry_run else "取り込みました"
        self.stdout.write(f"{result.rows}行を{verb}: 事例 新規{result.cases_created}件、つながる場 新規{result.meetings_created}回"
                          f"（既にあるもの {result.meetings_present}回）{'：' + years if years else ''}")
        for group in result.duplicates:
            outcome = "別の会議として" if group.separate else "1回の会議として"
            self.stdout.write(f"{group.notice().text()} {outcome}{'取り込めます' if dry_run else '取り込みました'}。")
