"""Role-aware navigation: each entry names the roles that see it; views enforce the same roles."""

from typing import NamedTuple

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Role


class NavItem(NamedTuple):
    label: str
    url_name: str
    roles: frozenset


NAVIGATION = (
    NavItem(_("ダッシュボード"), "home:dashboard", frozenset(Role)),
    NavItem(_("世帯"), "cases:household_list", frozenset({Role.COORDINATOR, Role.SUPERVISOR})),
    NavItem(_("事例"), "cases:case_list", frozenset({Role.COORDINATOR, Role.SUPERVISOR})),
    NavItem(_("会議"), "meetings:meeting_list", frozenset({Role.COORDINATOR, Role.SUPERVISOR, Role.AGENCY_WORKER})),
    NavItem(_("つなぎ"), "referrals:referral_list", frozenset({Role.COORDINATOR, Role.SUPERVISOR, Role.AGENCY_WORKER})),
    NavItem(_("活動"), "meetings:activity_list", frozenset({Role.COORDINATOR, Role.SUPERVISOR})),
    NavItem(_("統計"), "reports:overview", frozenset({Role.BUREAU, Role.ADMINISTRATOR})),
    NavItem(_("年次集計"), "reports:annual", frozenset({Role.BUREAU, Role.ADMINISTRATOR})),
    NavItem(_("活動と相談"), "reports:activities", frozenset({Role.BUREAU, Role.ADMINISTRATOR})),
    NavItem(_("つなぎの集計"), "reports:referrals", frozenset({Role.BUREAU, Role.ADMINISTRATOR})),
    NavItem(_("台帳の取り込み"), "ledger:import_list", frozenset({Role.COORDINATOR, Role.ADMINISTRATOR})),
    NavItem(_("監査ログ"), "audit:event_list", frozenset({Role.AUDITOR})),
    NavItem(_("削除請求"), "retention:request_list", frozenset({Role.ADMINISTRATOR, Role.AUDITOR})),
    NavItem(_("マスタ管理"), "admin:index", frozenset({Role.ADMINISTRATOR})),
)


def navigation_for(user, current_path: str, badges: dict | None = None) -> list[dict]:
    """The menu for a role; `badges` maps a route name to a count shown beside its entry (0 shows nothing)."""
    badges = badges or {}
    items = [(item.label, reverse(item.url_name), badges.get(item.url_name, 0))
             for item in NAVIGATION if user.role in item.roles]
    # The entry whose address is the longest prefix of the current path is the active one.
    matches = [url for _label, url, _n in items if (current_path == url if url == "/" else current_path.startswith(url))]
    active = max(matches, key=len) if matches else None
    return [{"label": label, "url": url, "active": url == active, "badge": n} for label, url, n in items]
