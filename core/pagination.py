"""What every paginated list shares."""


def page_query(request) -> str:
    """The list's filters as a query string without the page number, for the pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
