"""In-process measurements: the yearly report beside its SQL floor, the command as a whole process, and every
page (from the URL conf) as one user through Django's test client, with its query count."""

import cProfile
import os
import pstats
import statistics
import subprocess
import sys
import time

from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from . import floor

REPORT_YEAR = 2024


def stats(samples_ms: list[float]) -> dict:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_ms": round(statistics.median(ordered), 2), "p95_ms": round(p95, 2), "first_ms": round(samples_ms[0], 2),
            "runs": len(samples_ms)}


def timed(fn, repeat: int):
    samples, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
    return stats(samples), result


def timed_cold(fn, forget, repeat: int):
    """`fn` timed right after `forget()` (untimed) each time: the first view after a change of the data."""
    samples = []
    for _ in range(repeat):
        forget()
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return stats(samples)


def yearly_report(ids: dict, repeat: int) -> dict:
    """annual_report city-wide and for 北区, ward_comparison, each beside the floor; figures must be equal. Timed
    as served (the cached counts) and cold (the cache emptied first: the counting statement runs)."""
    from agencies.models import Municipality, Ward
    from reports.annual import annual_report, ward_comparison
    from reports.layouts import layout_for
    from reports.models import AnnualCounts

    city = Municipality.objects.get(pk=ids["city"])
    kita = Ward.objects.get(pk=ids["kita"])
    layout = layout_for(city)
    wards = dict(Ward.objects.filter(municipality=city).values_list("name", "pk"))
    years = [REPORT_YEAR, REPORT_YEAR - 1]
    out = {}
    cases = (
        ("city", lambda: annual_report(municipality=city, fiscal_year=REPORT_YEAR, layout=layout).to_json(),
         lambda: {y: floor.floor_counts(city=city.pk, fiscal_year=y) for y in years}),
        ("kita", lambda: annual_report(municipality=city, fiscal_year=REPORT_YEAR, ward=kita, layout=layout).to_json(),
         lambda: {y: floor.floor_counts(city=city.pk, fiscal_year=y, ward=kita.pk) for y in years}),
        ("wards", lambda: ward_comparison(municipality=city, fiscal_year=REPORT_YEAR, layout=layout).to_json(),
         lambda: floor.floor_counts(city=city.pk, fiscal_year=REPORT_YEAR)),
    )
    for name, product, hand in cases:
        with CaptureQueriesContext(connection) as queries:
            product()
        product_stats, figures = timed(product, repeat)
        cold_stats = timed_cold(product, lambda: AnnualCounts.objects.filter(municipality=city).delete(), repeat)
        floor_stats, floors = timed(hand, repeat)
        if name == "wards":
            problems = floor.check_comparison(figures, floors, wards, layout)
        else:
            problems = floor.check_report(figures, floors, layout)
        if problems:
            raise AssertionError(f"yearly report {name} differs from the floor: {problems[:10]}")
        out[name] = {"product": product_stats, "cold": cold_stats, "floor": floor_stats, "queries": len(queries),
                     "figures_equal": True, "meetings": figures.get("meetings"),
                     "ratio": round(product_stats["median_ms"] / max(floor_stats["median_ms"], 0.01), 2),
                     "cold_ratio": round(cold_stats["median_ms"] / max(floor_stats["median_ms"], 0.01), 2)}
    return out


def command(repeat: int) -> dict:
    """`manage.py annual_report --format json` as a whole process (start-up included)."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "manage.py", "annual_report", "--fy", str(REPORT_YEAR), "--format", "json"],
                       check=True, stdout=subprocess.DEVNULL, env={**os.environ})
        samples.append((time.perf_counter() - start) * 1000)
    return stats(samples)


# Pages the harness measures: URL name → (role, kind of id, query string). Every GET page of the URL conf must be
# here or in SKIPPED, so a new page is never left out silently (the JSON lists any that are).
PAGES = {
    "home:dashboard": [(role, None, "") for role in
                       ("coordinator", "supervisor", "agency_worker", "bureau", "auditor", "administrator")],
    "bench_shell": [("coordinator", None, "")],
    "accounts:preferences": [("coordinator", None, "")],
    "audit:event_list": [("auditor", None, "")],
    "reports:overview": [("bureau", None, "")],
    "reports:annual": [("bureau", None, f"fy={REPORT_YEAR}"), ("bureau", None, f"fy={REPORT_YEAR}&ward=kita")],
    "reports:activities": [("bureau", None, f"start={REPORT_YEAR}-04-01&end={REPORT_YEAR + 1}-01-31")],
    "reports:referrals": [("bureau", None, f"fy={REPORT_YEAR}")],
    "retention:request_list": [("administrator", None, "")],
    "cases:household_list": [("coordinator", None, "")],
    "cases:household_detail": [("coordinator", "household", "")],
    "cases:household_ecomap": [("coordinator", "household", "")],
    "cases:case_list": [("coordinator", None, "")],
    "cases:case_detail": [("coordinator", "case", "")],
    "cases:task_detail": [("agency_worker", "task", "")],
    "meetings:meeting_list": [("coordinator", None, "")],
    "meetings:meeting_detail": [("coordinator", "meeting", "")],
    "meetings:meeting_print": [("coordinator", "meeting", "")],
    "meetings:activity_list": [("coordinator", None, "")],
    "referrals:referral_list": [("coordinator", None, "box=ward"), ("agency_worker", None, "box=incoming")],
    "referrals:referral_detail": [("agency_worker", "referral", "")],
    "referrals:referral_sheet": [("coordinator", "referral", "")],
    "referrals:notification_list": [("agency_worker", None, "")],
    "ledger:import_list": [("administrator", None, "")],
    "api:household_list": [("coordinator", None, "")],
    "api:case_list": [("coordinator", None, "")],
    "api:case_detail": [("coordinator", "case", "")],
    "api:meeting_list": [("coordinator", None, "")],
    "api:referral_list": [("agency_worker", None, "")],
    "api:reports_annual": [("bureau", None, f"fy={REPORT_YEAR}"), ("bureau", None, f"fy={REPORT_YEAR}&ward=kita")],
}
# Not pages to time: forms, actions and downloads (measured elsewhere: the workbook), sign-in, the API docs, admin.
SKIPPED_PREFIXES = ("admin:",)
SKIPPED_SUFFIXES = ("_create", "_edit", "_delete", "_merge", "_transition", "_resolve", "_withdraw", "_approve", "_reject",
                    "_status", "_record", "_cancel", "_confirm", "_retry", "_action", "_return", "_read_all", "_add",
                    "_accept", "_decline", "_start", "_complete", "_export", "_csv", "_xlsx", "_detail_receipt")


def url_names() -> list[str]:
    names = []

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, namespace + (f"{pattern.namespace}:" if pattern.namespace else ""))
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.append(namespace + pattern.name)

    walk(get_resolver().url_patterns)
    return names


SKIPPED_NAMES = {"core:healthz", "accounts:login", "accounts:login_second_factor", "accounts:logout",
                 "accounts:password_change", "accounts:password_change_done", "accounts:two_factor_verify",
                 "accounts:two_factor_setup", "api:schema", "api:docs", "api:not_found", "set_language",
                 "retention:request_detail", "retention:receipt", "ledger:import_detail", "ledger:export",
                 "api:household_detail", "api:issue_list", "api:issue_detail", "api:consultation_list",
                 "api:consultation_detail", "api:meeting_detail", "api:activity_list", "api:activity_detail",
                 "api:referral_detail", "api:reports_activities", "api:reports_referrals"}


def unmeasured() -> list[str]:
    """URL names neither measured nor deliberately skipped (a new page someone added)."""
    return sorted(name for name in url_names() if name not in PAGES and name not in SKIPPED_NAMES
                  and not name.startswith(SKIPPED_PREFIXES) and not name.endswith(SKIPPED_SUFFIXES))


def page_list(ids: dict) -> list[dict]:
    from django.urls import reverse

    pages = []
    for name, variants in PAGES.items():
        for role, id_kind, query in variants:
            url = reverse(name, args=[ids[id_kind]] if id_kind else [])
            query = query.replace("ward=kita", f"ward={ids['kita']}")
            label = f"{name} ({role}{', ' + query if query else ''})"
            pages.append({"name": name, "label": label, "role": role, "url": url + (f"?{query}" if query else "")})
    return pages


def pages(ids: dict, users: dict, repeat: int) -> list[dict]:
    """Each page as one user: server time (median, p95) and the number of queries."""
    # As Django's test runner does: keep one connection across requests, so queries are counted on it.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    client = Client()
    current = None
    results = []
    for page in page_list(ids):
        if page["role"] != current:
            client.force_login(users[page["role"]])
            current = page["role"]
        queries: list[str] = []

        def count(execute, sql, *args, queries=queries):
            queries.append(sql)
            return execute(sql, *args)

        try:
            # The first view may fill caches (the yearly counts, a drawing): counted apart from the warm one.
            with connection.execute_wrapper(count):
                response = client.get(page["url"])
            cold = len(queries)
            queries.clear()
            if response.status_code == 200:
                with connection.execute_wrapper(count):
                    response = client.get(page["url"])
        except Exception as error:  # a page broken by work in progress: say so, measure the rest
            results.append({**page, "status": 500, "error": repr(error)[:300]})
            continue
        if response.status_code != 200:
            results.append({**page, "status": response.status_code})
            continue
        timing, _response = timed(lambda page=page: client.get(page["url"]), repeat)
        results.append({**page, **timing, "status": 200, "queries": len(queries), "cold_queries": cold,
                        "bytes": len(response.content), "top_costs": top_costs(lambda page=page: client.get(page["url"]))})
    return results


PROFILED = 3


def _where(function: tuple) -> str:
    """A profiler entry as a short name: app code by its path in the checkout, libraries by package, SQL as SQL."""
    filename, line, name = function
    if "psycopg2" in name and "execute" in name:
        return "SQL"
    if filename == "~":
        return name.strip("{}<>")
    path = filename.split("site-packages/")[-1] if "site-packages/" in filename else os.path.relpath(filename)
    return f"{path}:{line}({name})"


def top_costs(view, n: int = 3) -> list[dict]:
    """The page's three largest costs by own time (cProfile over PROFILED views), in ms a view."""
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(PROFILED):
        view()
    profile.disable()
    entries = pstats.Stats(profile).stats  # {function: (calls, primitive, own time, cumulative, callers)}
    ranked = sorted(entries.items(), key=lambda item: -item[1][2])[:n]
    return [{"where": _where(function), "ms": round(own * 1000 / PROFILED, 1), "calls": calls // PROFILED}
            for function, (_primitive, calls, own, _cumulative, _callers) in ranked]
