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
        ids = super().paginate_queryset(self.ids(queryset, view), request, view)
        if ids is None:
            return None
        rows = queryset.in_bulk(ids)
        return [rows[pk] for pk in ids if pk in rows]

    def ids(self, queryset, view):
        """The list's ids in its order, sliceable and countable."""
        return queryset.values_list("pk", flat=True)


class MergedIds:
    """The ids of disjoint querysets ordered alike, paged as one list: each part reads just enough rows down its
    own index, one UNION ALL merges them; the count is the parts' counts in one query."""

    def __init__(self, parts, ordering):
        self.ordering = list(ordering)
        columns = ["pk", *(field.lstrip("-") for field in self.ordering if field.lstrip("-") != "pk")]
        self.parts = [part.order_by(*self.ordering).values_list(*columns) for part in parts]
        self.counted = [part.order_by().values_list("pk") for part in parts]

    def count(self) -> int:
        first, *rest = self.counted
        return first.union(*rest, all=True).count() if rest else first.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list:
        start, stop = index.start or 0, index.stop
        first, *rest = [part[:stop] for part in self.parts]
        rows = first.union(*rest, all=True).order_by(*self.ordering)[start:stop] if rest else first[start:stop]
        return [row[0] for row in rows]


class MergedIdsFirstPagination(IdsFirstPagination):
    """IdsFirstPagination whose ids come from the parts the view's `list_parts(queryset)` splits the list into."""

    def ids(self, queryset, view):
        return MergedIds(view.list_parts(queryset), queryset.query.order_by)
