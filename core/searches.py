"""Searches for people, kept out of URLs.

A name, phone number or address typed into a search box must not land in the browser's history, in a
bookmark, in a server log or in the audit trail's request path. So the search form posts its terms; the
session keeps them under a short random key; the list is shown at `?s=<key>` (with the page number and any
non-personal filters beside it). A key means nothing outside the session that made it.
"""

import secrets

from django.http import HttpResponseRedirect, QueryDict

SESSION_KEY = "searches"
PARAM = "s"
KEEP = 20  # the latest searches of a session; older keys fall back to an empty search


def search_remember(request, terms: dict[str, str]) -> str:
    """Keep `terms` in the session and return their key ("" when there is nothing to search for)."""
    terms = {name: value for name, value in terms.items() if value}
    if not terms:
        return ""
    searches = dict(request.session.get(SESSION_KEY, {}))
    for key, kept in searches.items():
        if kept == terms:  # the same search again keeps its key, so the page URL does not change
            return key
    key = secrets.token_urlsafe(6)
    searches[key] = terms
    request.session[SESSION_KEY] = dict(list(searches.items())[-KEEP:])
    return key


def search_recall(request) -> dict[str, str]:
    """The terms kept under this request's `?s=` key, or {}."""
    key = request.GET.get(PARAM, "")
    return dict(request.session.get(SESSION_KEY, {}).get(key, {})) if key else {}


def search_query(key: str, params: QueryDict | dict[str, str] | None = None, *, drop: tuple[str, ...] = ()) -> str:
    """The query string of a list showing search `key` with the non-personal `params` (without `drop`)."""
    query = QueryDict(mutable=True)
    pairs: list[tuple[str, list[str]]] = (list(params.lists()) if isinstance(params, QueryDict)
                                          else [(name, [value]) for name, value in (params or {}).items()])
    for name, values in pairs:
        if name not in (PARAM, "page", "csrfmiddlewaretoken", *drop):
            query.setlist(name, [value for value in values if value])
    if key:
        query[PARAM] = key
    return query.urlencode()


def search_redirect(request, url: str, terms: dict[str, str],
                    params: QueryDict | dict[str, str] | None = None) -> HttpResponseRedirect:
    """To the list at `url` showing `terms` (kept in the session) and the non-personal `params`."""
    query = search_query(search_remember(request, terms), params, drop=tuple(terms))
    return HttpResponseRedirect(f"{url}?{query}" if query else url)
