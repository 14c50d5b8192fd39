"""python manage.py annual_report --fy 2020 --compare 2019 [--municipality 大阪市] [--ward 北区] --format json|csv|xlsx"""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agencies.models import Municipality, Ward
from audit.models import Action
from audit.services import audit_record
from core.replica import replica_reads
from reports import exports, suppression
from reports.annual import Source, YearPair, annual_report, ward_comparison
from reports.layouts import layout_for


class Command(BaseCommand):
    help = "つながる場の年次集計表（開催根拠・SV・相談のあった機関・参加機関・課題）を JSON・CSV・Excel で出力します。"
    # No system checks: they import every URL conf and view (half the start-up). The server and `manage.py check`
    # run them (docs/benchmarks/startup.md).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--fy", type=int, required=True, help="年度（西暦。令和2年度なら 2020）")
        parser.add_argument("--compare", type=int, help="比較する年度（省略時は前年度）")
        parser.add_argument("--municipality", help="自治体名（自治体が一つだけのときは省略できます）")
        parser.add_argument("--ward", help="区・圏域の名前（省略時は全区）")
        parser.add_argument("--format", choices=["json", "csv", "xlsx"], default="json")
        parser.add_argument("--output", help="出力先のファイル（省略時は標準出力。xlsx では必須）")
        parser.add_argument("--suppress", type=int, default=0, help="公表用: この件数未満の値を「*」にします")

    @replica_reads()  # the figures from the read replica when there is one; the audit event to the primary
    def handle(self, *args, fy, compare, municipality, ward, format, output, suppress, **options):
        try:
            YearPair.of(fy, compare)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        municipality = self._municipality(municipality)
        ward_obj = None
        if ward:
            ward_obj = Ward.objects.filter(municipality=municipality, name=ward.strip()).first()
            if ward_obj is None:
                names = "、".join(Ward.objects.filter(municipality=municipality).values_list("name", flat=True))
                raise CommandError(f"「{ward}」という区・圏域は{municipality.name}にありません。使える名前：{names}")
        layout, source = layout_for(municipality), Source(municipality)  # each year read once
        report = annual_report(municipality=municipality, fiscal_year=fy, compare=compare, ward=ward_obj,
                               layout=layout, source=source)
        comparison = None
        if suppress:
            report, comparison = suppression.for_publication(report, suppress, municipality=municipality,
                                                             layout=layout, source=source)
        elif format == "xlsx" and ward_obj is None:
            comparison = ward_comparison(municipality=municipality, fiscal_year=fy, layout=layout, source=source)
        if format == "json":
            content = (json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        elif format == "csv":
            content = exports.to_csv(report)
        else:
            if not output:
                raise CommandError("Excel（xlsx）で出力するときは --output でファイル名を指定してください。")
            content = exports.to_xlsx(report, comparison if ward_obj is None else None)
        if output:
            with open(output, "wb") as handle:
                handle.write(content)
            self.stderr.write(f"{output} に出力しました。")
        else:
            self.stdout.write(content.decode("utf-8"), ending="")
        # Written to the trail of the municipality exported, as the report pages' downloads are (#15).
        audit_record(action=Action.EXPORT, municipality=municipality, obj=municipality, detail={
            "report": "annual", "format": format, "fy": fy, "compare": compare, "ward": ward_obj.name if ward_obj else "",
            "suppress": suppress, "command": "annual_report"})

    def _municipality(self, name):
        if name:
            found = Municipality.objects.filter(name=name.strip()).first()
            if found is None:
                raise CommandError(f"「{name}」という自治体は登録されていません。")
            return found
        municipalities = list(Municipality.objects.all()[:2])
        if len(municipalities) != 1:
            raise CommandError("自治体が複数（または一つも）登録されています。--municipality で自治体名を指定してください。")
        return municipalities[0]
