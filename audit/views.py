from django.core.paginator import Paginator
from django.shortcuts import render

from accounts.access import role_required
from accounts.models import Role
from core.pagination import page_query

from .selectors import audit_event_search


@role_required(Role.AUDITOR)
def event_list(request):
    search = audit_event_search(user=request.user, params=request.GET)
    page = Paginator(search.qs, 50).get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {"filter": search, "page": page, "query": page_query(request)})
