"""Page-number pagination for every list: ?page=2&page_size=100 (at most 100 rows a page)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
    page_query_description = _("ページ番号（1から）。")
    page_size_query_description = _("1ページの件数（既定50、最大100）。")

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound as error:
            raise exceptions.NotFound(code="invalid_page") from error


class IdsFirstPagination(PageNumberPagination):
    """The same pages, read in two steps: the page's ids alone (one table, ordered by its index or a narrow sort),
    then those rows with everything the serializer joins. A wide many-table join is planned and sorted once for
    fifty rows, not for every row the user may see (an agency receives tens of thousands of referrals)."""

    def paginate_queryset(self, queryset, request, view=None):
        ids = super().paginate_queryset(queryset.values_list("pk", flat=True), request, view)
        if ids is None:
            return None
        rows = queryset.in_bulk(ids)
        return [rows[pk] for pk in ids if pk in rows]
