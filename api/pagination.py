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
