"""A つながる場 from convening to tasks, in headless Chromium (issue 4's 'done means')."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agencies.models import AgencyCategory
from meetings.models import Meeting
from tests.browser.conftest import log_in, pick, screenshot
from tests.factories import TEST_PASSWORD, AgencyFactory

pytestmark = pytest.mark.browser


def chosen(page, select):
    """The options chosen in a select, whether the picker or the plain list shows it."""
    return page.locator(select).evaluate("s => [...s.selectedOptions].map(o => o.text)")


def test_convene_without_consent_is_refused_then_consent_then_held_then_the_agency_sees_its_task(
    page, coordinator_kita, case_kita, kita_houkatsu, agency_worker
):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    log_in(page, "kita_coordinator", TEST_PASSWORD)
    page.goto(f"/cases/{case_kita.pk}/")
    page.get_by_role("link", name="この事例で会議を招集する").click()

    # 本人同意 without consent: refused, told what is missing and how to go on.
    page.get_by_label("会議種別").select_option(label="つながる場")
    page.get_by_label("開催根拠").select_option(label="本人同意（つながる場単独開催）")
    page.get_by_label("開始日時").fill(f"{yesterday.isoformat()}T14:00")
    page.get_by_label("場所").fill("北区役所 3階会議室")
    pick(page.get_by_role("combobox", name="招集する機関"), "包括", expected=kita_houkatsu.name)
    assert page.get_by_label(re.compile(case_kita.number)).is_checked()
    page.get_by_role("button", name="招集する").click()
    assert page.get_by_text(re.compile(f"事例 {case_kita.number} の本人には、開催日.*に有効な「つながる場での協議」の同意がありません")).is_visible()
    assert page.get_by_text(re.compile("支援会議（社会福祉法第106条の6）として開催できます")).is_visible()
    screenshot(page, "meeting-1-consent-missing")

    # Record the consent from there; back on the form with what was entered.
    page.get_by_role("link", name=f"事例 {case_kita.number} の本人同意を記録する").click()
    assert page.get_by_label("目的").input_value() == "meeting"
    assert chosen(page, "#id_agencies") == [kita_houkatsu.name]  # the agencies the meeting convenes
    page.get_by_label("すべての関係機関").check()
    page.get_by_label("同意日").fill((yesterday - dt.timedelta(days=2)).isoformat())
    page.get_by_role("button", name="記録する").click()
    page.wait_for_url(re.compile(r"/meetings/new/\?"))
    assert page.get_by_label("場所").input_value() == "北区役所 3階会議室"
    page.get_by_role("button", name="招集する").click()
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    assert page.get_by_text("会議を登録しました").is_visible()

    # Hold it: attendance, issues as discussed, 役割分担.
    page.get_by_role("link", name="開催記録を入力").click()
    assert chosen(page, "#id_attended_agencies") == [kita_houkatsu.name]
    page.locator("#id_attendees-0-name").fill("包括 花子")
    pick(page.locator("#id_attendees-0-agency-ts-control"), "包括", expected=kita_houkatsu.name)
    pick(page.locator("#id_tasks-0-agency-ts-control"), "包括", expected=kita_houkatsu.name)
    page.locator("#id_tasks-0-task").fill("週1回の見守り訪問")
    page.locator("#id_tasks-0-due_on").fill((timezone.localdate() + dt.timedelta(days=14)).isoformat())
    page.get_by_label("決定事項").fill("包括が見守りを担い、2週間後に状況を共有する。")
    screenshot(page, "meeting-2-record")
    page.get_by_role("button", name="開催記録を保存する").click()
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    assert page.get_by_text("開催記録を保存しました").is_visible()
    assert page.get_by_role("cell", name="週1回の見守り訪問").is_visible()
    screenshot(page, "meeting-3-held")

    # The agency worker sees the task, with its due date, on their dashboard.
    page.context.clear_cookies()
    log_in(page, "agency_worker", TEST_PASSWORD)
    assert page.get_by_text("週1回の見守り訪問").is_visible()
    screenshot(page, "meeting-4-agency-task")


def test_agencies_are_found_by_typing_and_chosen_with_the_keyboard(page, coordinator_kita, kita, nishinari, kita_houkatsu):
    category = AgencyCategory.objects.get
    council = AgencyFactory(ward=kita, category=category(municipality=None, name="社会福祉協議会"))
    AgencyFactory(ward=nishinari, category=category(municipality=None, name="社会福祉協議会"))
    hello_work = AgencyFactory(ward=None, municipality=kita.municipality, name="ハローワーク梅田",
                               category=category(municipality=None, name="ハローワーク"))
    log_in(page, "kita_coordinator", TEST_PASSWORD)
    page.goto("/meetings/new/")
    page.get_by_label("会議種別").select_option(label="つながる場")
    page.get_by_label("開催根拠").select_option(label="地域ケア会議")
    picker = page.get_by_role("combobox", name="招集する機関")
    picker.click()
    page.keyboard.type("せんたー")  # katakana found by its reading: 北区's centre first, grouped by 分野
    expect(page.locator(".ts-dropdown .option")).to_have_text([kita_houkatsu.name])
    expect(page.locator(".ts-dropdown .optgroup-header")).to_have_text(["北区・高齢"])
    screenshot(page, "agency-picker-search")
    picker.fill("")
    picker.press("Escape")
    # 北区's own council comes before 西成区's; the city-wide ハローワーク is found by its reading in hiragana.
    pick(picker, "社会福祉", expected=council.name)
    pick(picker, "はろーわーく", expected=hello_work.name)
    screenshot(page, "agency-picker")
    page.get_by_role("button", name="招集する").click()
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    meeting = Meeting.objects.for_user(coordinator_kita).get()
    assert set(meeting.agency_links.values_list("agency__name", flat=True)) == {council.name, hello_work.name}
    assert timezone.localtime(meeting.starts_at).hour == 10  # a working hour by default
