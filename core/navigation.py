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
    NavItem(_("ダッシュボード"), "core:dashboard", frozenset(Role)),
    NavItem(_("世帯"), "cases:household_list", frozenset({Role.COORDINATOR, Role.SUPERVISOR, Role.AGENCY_WORKER})),
    NavItem(_("事例"), "cases:case_list", frozenset({Role.COORDINATOR, Role.SUPERVISOR, Role.AGENCY_WORKER})),
    NavItem(_("会議"), "meetings:meeting_list", frozenset({Role.COORDINATOR, Role.SUPERVISOR, Role.AGENCY_WORKER})),
    NavItem(_("活動"), "meetings:activity_list", frozenset({Role.COORDINATOR, Role.SUPERVISOR})),
    NavItem(_("統計"), "reports:overview", frozenset({Role.BUREAU, Role.ADMINISTRATOR})),
    NavItem(_("監査ログ"), "audit:event_list", frozenset({Role.AUDITOR})),
    NavItem(_("マスタ管理"), "admin:index", frozenset({Role.ADMINISTRATOR})),
)


def navigation_for(user, current_path: str) -> list[dict]:
    items = []
    for item in NAVIGATION:
        if user.role in item.roles:
            url = reverse(item.url_name)
            active = current_path == url if url == "/" else current_path.startswith(url)
            items.append({"label": item.label, "url": url, "active": active})
    return items
