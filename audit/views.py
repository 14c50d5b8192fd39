import csv
import json

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from accounts.access import role_required
from accounts.models import Role
from core.pagination import CappedPaginator, page_query
from core.spreadsheet import neutralise
from core.wareki import format_datetime

from . import chain
from .models import Action
from .selectors import audit_event_search, auditor_trail, auditor_trail_rows
from .services import audit_record

EXPORT_CHUNK = 2000
# Events counted at most per visit: a city's trail grows by millions, and a narrowed search is counted exactly.
TRAIL_COUNT_CAP = 10_000
TRAIL_PAGE_SIZE = 50


@role_required(Role.AUDITOR)
def event_list(request):
    search = audit_event_search(user=request.user, params=request.GET)
    paginator = CappedPaginator(auditor_trail(user=request.user, search=search), TRAIL_PAGE_SIZE,
                                counted=auditor_trail_rows(user=request.user, search=search), cap=TRAIL_COUNT_CAP)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {"filter": search, "page": page, "query": page_query(request)})


class _Echo:
    def write(self, value):
        return value


def _csv_rows(events):
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield "\ufeff" + writer.writerow([
        _("日時"), _("ログインID"), _("操作"), _("対象の種類"), _("対象ID"), _("対象"), _("IPアドレス"), _("ブラウザ"),
        _("URL"), _("詳細"), _("チェーン"), _("連番"), _("ハッシュ")])
    for event in events.iterator(chunk_size=EXPORT_CHUNK):
        yield writer.writerow([neutralise(value) for value in (
            format_datetime(event.at), event.username, event.action_label, event.object_type, event.object_id,
            event.object_label, event.ip or "", event.user_agent, event.path,
            json.dumps(event.detail, ensure_ascii=False, sort_keys=True), chain.chain_key(event.municipality_id),
            event.seq, event.hash)])


@role_required(Role.AUDITOR)
def event_export(request):
    """The filtered trail as CSV (UTF-8 with BOM, for Excel), every text cell neutralised against formulas. With
    each row's chain, seq and hash, a file kept elsewhere is also an anchor for `verify_audit --anchor`."""
    search = audit_event_search(user=request.user, params=request.GET)
    events = auditor_trail(user=request.user, search=search)
    filters = {name: str(value) for name, value in (search.form.cleaned_data if search.form.is_valid() else {}).items()
               if value not in (None, "")}
    audit_record(action=Action.EXPORT, request=request, object_type="audit.auditevent",
                 object_label=_("監査ログ"), detail={"export": "audit", "format": "csv", "filters": filters})
    response = StreamingHttpResponse(_csv_rows(events), content_type="text/csv; charset=utf-8")
    name = _("監査ログ_%(date)s.csv") % {"date": timezone.localdate().strftime("%Y%m%d")}
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
