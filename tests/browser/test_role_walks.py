"""Each role's main path, walked by clicking links only (#14 'done means').

Only the login page is typed; from the dashboard on, every page is reached through a link (or the one form
the path needs, the audit log's filter). Every page on the way must answer without a 4xx/5xx (the page and
everything it loads), and what a person reads — the tab title and document.body.innerText, select labels
included, input values not — must hold no English word or code name (None, True, coordinator, in_progress,
ledger.importjob, <Case: …>) and no ISO date (2020-05-12, 2026-05). ASCII that is legitimately shown is
allowed explicitly below. A screenshot of every page goes to test-artifacts/walk-<role>-<n>-<page>.png.
"""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from ledger.importer import import_ledger
from ledger.parsing import LedgerFile
from meetings import services as meeting_services
from meetings.models import MeetingBasis, MeetingKind
from tests.browser.conftest import log_in, screenshot
from tests.conftest import LEDGER_CSV_KITA
from tests.factories import TEST_PASSWORD, HouseholdMemberFactory
from tests.ledger.test_jobs import work

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "progress"])]

# ASCII a reader may legitimately meet; everything else made of Latin letters is a leak.
ALLOWED = re.compile(
    r"R\d+-\d{4}"  # case numbers
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    r"|\bNo\."
    r"|(?<![A-Za-z])[MTSHR](?:\d+|元)(?=年)"  # an era abbreviated in a table's head: R2年度, R元年度
    r"|\.(?:csv|xlsx)\b"  # file names as uploaded
    r"|(?<![A-Za-z])(?:SV|PDF|CSV|Excel|A4|URL|ID|API|IP|MB|UTF-8|Shift_JIS|English)(?![A-Za-z])"
)
LATIN = re.compile(r"[A-Za-z][A-Za-z_]*")
# The same pattern as tests/test_dates_on_pages.py: 2020-05-12 or 2026-05, not a phone number.
ISO = re.compile(r"(?<![\d-])\d{4}-\d{2}(?:-\d{2})?(?![\d-])")


def offences(text: str) -> list[str]:
    """English words, code names and ISO dates in a text a person reads."""
    found = [f"ISO date {m.group()!r}" for m in ISO.finditer(text)]
    rest = ALLOWED.sub(" ", text)
    found += [f"English {m.group()!r}" for m in LATIN.finditer(rest)]
    return found


def test_the_checker_flags_english_code_names_and_iso_dates_but_not_what_may_be_shown():
    shown = "事例 R2-0001 R2年度 R元年度 No.2 SV派遣 PDF・CSV・Excel（.xlsx） A4 ログインID IPアドレス English 06-1234-5678 a.b@example.jp 北区台帳.csv"
    assert offences(shown) == []
    assert offences("None 対応中 in_progress <Case: 1> 2020-05-12 2026-05 ledger.importjob:3") == [
        "ISO date '2020-05-12'", "ISO date '2026-05'", "English 'None'", "English 'in_progress'", "English 'Case'",
        "English 'ledger'", "English 'importjob'"]


# What a person reads: the tab's title and the body's rendered text (innerText: labels and select options in,
# the values of boxes and anything hidden out). A ログインID column (the audit log's) is skipped: login IDs are
# ASCII that an administrator chose, and may look like role codes (agency_worker).
VISIBLE_TEXT = """() => {
  const cells = [];
  for (const table of document.querySelectorAll("table")) {
    const at = [...table.querySelectorAll("thead th")].findIndex(th => th.innerText.trim() === "ログインID");
    if (at >= 0) for (const row of table.tBodies[0]?.rows || []) if (row.cells[at]) cells.push(row.cells[at]);
  }
  cells.forEach(cell => cell.style.visibility = "hidden");
  const text = document.title + "\\n" + document.body.innerText;
  cells.forEach(cell => cell.style.visibility = "");
  return text;
}"""


def test_the_visible_text_holds_labels_and_options_but_not_what_is_typed_in_a_box(page):
    page.set_content('<title>題</title><p>本文</p><input value="2020-05-12"><textarea>2020-05-13</textarea>'
                     '<select><option>令和2年</option><option value="2020-05">2020-05</option></select>'
                     '<p hidden>None</p><table><thead><tr><th>ログインID</th><th>役割</th></tr></thead>'
                     '<tbody><tr><td>agency_worker</td><td>agency_worker</td></tr></tbody></table>')
    text = page.evaluate(VISIBLE_TEXT)
    assert "題" in text and "本文" in text and "令和2年" in text
    # An option's label is read; a box's value, hidden text and a login ID are not, a role code elsewhere is.
    assert offences(text) == ["ISO date '2020-05'", "English 'agency_worker'"]


# Short words broken over two lines (「未着/手」 in a narrow status column, 「北/区」, a 「直/す」 link): a text of at
# most four characters in the page's main part whose letters sit on more than one line.
WRAPPED_WORDS = """() => {
  const found = [];
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode());) {
    const text = node.textContent.trim();
    if (!text || text.length > 4 || node.parentElement.closest("select, textarea, svg")) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
    if (tops.size > 1) found.push(text);
  }
  return found;
}"""


def test_the_wrap_check_finds_a_short_word_broken_over_two_lines_and_not_one_kept_whole(page):
    page.set_content('<main><table><tr><td style="width: 1em">未着手</td><td style="width: 1em; white-space: nowrap">北区</td>'
                     '<td style="width: 1em">見守り訪問</td></tr></table></main>')
    assert page.evaluate(WRAPPED_WORDS) == ["未着手"]


class Walk:
    """One role's walk: every response the pages get, every offence in what they show, a screenshot per page."""

    def __init__(self, page, role):
        self.page, self.role, self.steps = page, role, 0
        self.problems: list[str] = []
        self.own_host = None
        page.set_default_timeout(15_000)
        page.on("response", self._response)

    def _response(self, response):
        if self.own_host and urlsplit(response.url).netloc == self.own_host and response.status >= 400:
            self.problems.append(f"{response.status} {urlsplit(response.url).path} (on {self.page.url})")

    def start(self, username):
        log_in(self.page, username, TEST_PASSWORD)
        self.own_host = urlsplit(self.page.url).netloc
        self.look("dashboard")

    def click(self, name, lands, *, within=None, label=None):
        """Follow the first link in the page's main part called `name` (text, or a pattern), check the page it opens
        has a heading matching `lands`, and look at it."""
        scope = within if within is not None else self.page.locator("main")
        exact = isinstance(name, str)
        with self.page.expect_navigation():
            scope.get_by_role("link", name=name, exact=exact or None).first.click()
        assert self.page.get_by_role("heading", name=re.compile(lands)).first.is_visible(), (name, lands, self.page.url)
        self.look(label or (name if exact else name.pattern))

    def nav(self, name, lands):
        """A link of the main menu (its badge, e.g. 「つなぎ 1」, aside)."""
        self.click(re.compile(rf"^{name}\s*\d*$"), lands,
                   within=self.page.get_by_role("navigation", name="メインメニュー"), label=name)

    def look(self, name):
        self.page.wait_for_load_state("networkidle")
        self.steps += 1
        screenshot(self.page, f"walk-{self.role}-{self.steps}-{name}")
        text = self.page.evaluate(VISIBLE_TEXT)
        self.problems += [f"{hit} on {name} ({urlsplit(self.page.url).path})" for hit in dict.fromkeys(offences(text))]
        self.problems += [f"「{word}」 broken over two lines on {name}" for word in
                          dict.fromkeys(self.page.evaluate(WRAPPED_WORDS))]

    def done(self):
        assert self.problems == [], f"{self.role}:\n" + "\n".join(self.problems)
        assert self.steps > 2


@pytest.fixture
def world(client, cast, kita, household_kita, case_kita, consent_kita, consultation_kita, meeting_kita, activity_kita,
          referral_kita, import_job_kita, kita_houkatsu, osaka):
    """The fixed cast around case_kita: a task and a referral for 北区地域包括支援センター, a meeting to come and one
    held (with a task decided), an activity, a ledger of 令和2年度 imported and another waiting for its check, and a
    refusal in the trail (西成区's coordinator asking for 北区's case)."""
    coordinator = cast["coordinator_kita"]
    HouseholdMemberFactory(household=household_kita, name="北村 三郎", name_kana="きたむら さぶろう", is_primary=False,
                           relationship="子", birth_date=dt.date(1990, 4, 1))
    held = meeting_services.meeting_schedule(
        user=coordinator, ward=kita, kind=MeetingKind.objects.get(name="つながる場"),
        basis=MeetingBasis.objects.get(municipality=None, name="地域ケア会議"),
        starts_at=timezone.make_aware(dt.datetime(2020, 9, 10, 14)), cases=[case_kita], agencies=[kita_houkatsu],
        supervisor=cast["supervisor"], sv_dispatched=True)
    meeting_services.meeting_record(
        user=coordinator, meeting=held, version=held.version, decisions="月2回訪問", attended_agencies=[kita_houkatsu],
        attendees=[{"name": "包括 花子", "agency": kita_houkatsu}], next_review_on=dt.date(2020, 12, 1),
        tasks=[{"case": case_kita, "agency": kita_houkatsu, "task": "訪問", "due_on": dt.date(2020, 10, 1)}])
    import_ledger(municipality=osaka, file=LedgerFile.from_bytes("台帳.csv", LEDGER_CSV_KITA.encode()),
                  user=cast["administrator"])
    work()  # the waiting upload is checked, as the worker beside the web server would
    client.force_login(cast["coordinator_nishinari"])
    assert client.get(reverse("cases:case_detail", args=[case_kita.pk])).status_code == 404
    return {"case": case_kita, "household": household_kita, "held": held, "upcoming": meeting_kita,
            "referral": referral_kita}


def test_a_coordinator_walks_households_a_case_its_meeting_referrals_activities_and_imports(page, world):
    walk = Walk(page, "coordinator")
    walk.start("kita_coordinator")
    case, referral = world["case"].number, f"No.{world['referral'].pk}"
    walk.nav("世帯", "^世帯$")
    walk.click("北村 一郎", r"世帯 #\d+")
    walk.click(case, f"事例 {case}")
    walk.click("令和2年9月10日 つながる場", "^つながる場")
    walk.click(case, f"事例 {case}")  # back to the case from the meeting
    walk.nav("つなぎ", "^つなぎ$")
    walk.click("区の事例（対応中のもの）", "^つなぎ$")
    walk.click(referral, f"つなぎ {referral}")
    walk.nav("活動", "^活動")
    walk.nav("台帳の取り込み", "開催台帳の取り込み")
    walk.click("北区台帳.csv", "北区台帳.csv")
    walk.done()


def test_an_agency_worker_walks_its_task_a_referral_received_and_a_meeting(page, world):
    walk = Walk(page, "agency_worker")
    walk.start("agency_worker")
    referral = f"No.{world['referral'].pk}"
    walk.click("見守り訪問", "役割分担：見守り訪問")
    walk.nav("つなぎ", "^つなぎ$")
    walk.click(referral, f"つなぎ {referral}")
    walk.nav("会議", "^会議")
    walk.click(re.compile("つながる場"), "^つながる場")
    walk.done()


def test_a_supervisor_walks_a_dispatched_case_its_household_and_a_meeting(page, world):
    walk = Walk(page, "supervisor")
    walk.start("supervisor")
    case = world["case"].number
    walk.click(case, f"事例 {case}")
    walk.click("世帯を見る", r"世帯 #\d+")
    walk.nav("会議", "^会議")
    walk.click(re.compile("つながる場"), "^つながる場")
    walk.done()


def test_the_bureau_walks_its_reports(page, world):
    walk = Walk(page, "bureau")
    walk.start("bureau")
    walk.nav("統計", "区別の集計")
    walk.nav("年次集計", "つながる場の年次集計")
    walk.nav("活動と相談", "活動と相談の集計")
    walk.nav("つなぎの集計", "つなぎの集計")
    walk.done()


def test_an_administrator_walks_to_the_imports_and_the_master_lists(page, world):
    walk = Walk(page, "administrator")
    walk.start("admin")
    walk.nav("台帳の取り込み", "開催台帳の取り込み")
    walk.nav("マスタ管理", "マスタ・利用者の管理")
    walk.done()


def test_an_auditor_walks_to_the_trail_and_its_refusals(page, world):
    walk = Walk(page, "auditor")
    walk.start("auditor")
    walk.nav("監査ログ", "^監査ログ$")
    page.get_by_label("操作").select_option(label="拒否（権限なし・範囲外）")
    with page.expect_navigation():
        page.get_by_role("button", name="検索").click()
    walk.look("refusals")
    assert page.get_by_role("cell", name="nishinari_coordinator").first.is_visible()
    walk.done()

