"""What every paginated list shares."""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property


def page_query(request) -> str:
    """The list's filters as a query string without the page number, for the pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


class CappedPaginator(Paginator):
    """Pages over a list that may be too long to count on every visit (the audit trail grows without end): rows
    are counted only up to `cap`, read without order from `counted` (a narrow, unordered form of the list).
    Within the cap it pages as Django's Paginator does; past it the total is "more than cap" and the pages run on
    by next and previous links, each page reading one row more than it shows to know whether another follows."""

    def __init__(self, object_list, per_page, *, counted, cap: int = 10_000):
        super().__init__(object_list, per_page)
        self.counted = counted
        self.cap = cap

    @cached_property
    def count(self) -> int:
        return self.counted[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    def validate_number(self, number):
        if not self.capped:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from error
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def get_page(self, number):
        if not self.capped:
            return super().get_page(number)
        try:
            number = self.validate_number(number)
        except (PageNotAnInteger, EmptyPage):
            number = 1
        return self.page(number)

    def page(self, number):
        if not self.capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        return CappedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)


class CappedPage(Page):
    def __init__(self, object_list, number, paginator, *, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1 if self.object_list else 0
