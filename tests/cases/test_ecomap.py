"""The eco-map is a pure function from plain data to SVG: these tests need no database (except the last class,
which opens the household page and the eco-map through the client)."""

import logging
import os
import re
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.urls import reverse

from cases import ecomap, ecomap_data
from cases.ecomap import EcoAgency, EcoMap, EcoMember, EcoRelation, render_ecomap
from core.svg import PRESENTATION
from tests.factories import HouseholdMemberFactory

SVG = "{http://www.w3.org/2000/svg}"


def _household(**changes) -> EcoMap:
    fields = {
        "title": "世帯 #12 のエコマップ",
        "members": (
            EcoMember("m1", "北村 一郎", "本人 68歳", is_primary=True, sex="male"),
            EcoMember("m2", "北村 和子", "妻 65歳", sex="female"),
            EcoMember("m3", "北村 健太", "長男 40歳", sex="male"),
            EcoMember("m4", "北村 花子", "長女 38歳", sex="female", moved_out=True),
            EcoMember("m5", "北村 トメ", "母", sex="female", deceased=True),
        ),
        "agencies": (
            EcoAgency("a1", "北区地域包括支援センター", "高齢", (
                EcoRelation("support", "見守り訪問 12/1まで", "m1"), EcoRelation("task", "介護保険の申請"))),
            EcoAgency("a2", "北区社会福祉協議会", "生活困窮", (EcoRelation("referral", "家計改善支援へ"),)),
            EcoAgency("a3", "ハローワーク梅田", "就労", (EcoRelation("task", "職業相談", "m3"),)),
            EcoAgency("a4", "北区保健福祉センター", "保健医療", (EcoRelation("past", "2023年 精神保健相談", "m3"),)),
            EcoAgency("a5", "大阪市立北小学校", "教育"),
        ),
    }
    return EcoMap(**{**fields, **changes})


def _root(svg: str) -> ET.Element:
    return ET.fromstring(svg.encode("utf-8"))


def _texts(svg: str) -> str:
    # Wrapped names are consecutive <text> lines, so joined they read as written.
    return "".join(t.text or "" for t in _root(svg).iter(f"{SVG}text"))


def _group(svg: str, gid: str) -> ET.Element:
    found = [g for g in _root(svg).iter(f"{SVG}g") if g.get("id") == gid]
    assert len(found) == 1, f"expected one element with id {gid!r}"
    return found[0]


def _style(svg: str, gid: str) -> dict[str, str]:
    # Presentation attributes, not style="…" (which the Content-Security-Policy refuses).
    path = _group(svg, gid).find(f"{SVG}path")
    return {name: value for name, value in path.attrib.items() if name in PRESENTATION}


def _points(svg: str, gid: str) -> list[tuple[float, float]]:
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", _group(svg, gid).find(f"{SVG}path").get("d"))]
    return list(zip(numbers[0::2], numbers[1::2], strict=True))


def _bbox(svg: str, gid: str) -> tuple[float, float, float, float]:
    xs, ys = zip(*_points(svg, gid), strict=True)
    return min(xs), min(ys), max(xs), max(ys)


def _start(svg: str, gid: str) -> tuple[float, float]:
    return _points(svg, gid)[0]


def _within(inner: tuple, outer: tuple) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def _overlaps(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_the_svg_parses_as_xml_and_its_root_is_an_svg_element_ten_inches_wide_and_at_most_seven_high():
    root = _root(render_ecomap(_household()))
    assert root.tag == f"{SVG}svg"
    assert root.get("width") == "720pt" and 360 <= float(root.get("height").removesuffix("pt")) <= 504


def test_a_small_map_is_cut_off_just_below_its_drawing():
    """One agency above a household of three: the ring's lower half is empty and left off the canvas."""
    small = _household(members=_household().members[:3], agencies=(
        EcoAgency("a1", "北区地域包括支援センター", "高齢", (EcoRelation("task", "見守り訪問 7/1まで"),)),))
    svg = render_ecomap(small)
    height = float(_root(svg).get("height").removesuffix("pt"))
    lowest = max([_bbox(svg, "household-boundary")[3], *(float(t.get("y")) for t in _root(svg).iter(f"{SVG}text"))])
    assert 0 < height - lowest <= 36  # half an inch at most under the lowest text or shape
    assert height < 504 - 100


def test_every_member_and_every_agency_name_appears_as_text():
    svg = render_ecomap(_household())
    assert "北村 一郎" in svg
    texts = _texts(svg)
    for name in [m.name for m in _household().members] + [a.name for a in _household().agencies]:
        assert name in texts


def test_text_stays_text_for_the_browser_to_draw_and_is_at_least_nine_points():
    svg = render_ecomap(_household())
    assert "<use" not in svg  # glyphs were not turned into paths
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)px"', svg)]
    assert sizes and min(sizes) >= 9


def test_the_legend_explains_the_line_kinds_and_the_fields_present():
    texts = _texts(render_ecomap(_household()))
    for label in ("支援中", "つなぎ", "役割分担", "過去の関わり", "高齢", "生活困窮", "就労", "保健医療", "教育"):
        assert label in texts
    assert "障がい" not in texts  # no agency of that field here


def test_the_same_input_renders_byte_identical_output_twice():
    assert render_ecomap(_household()) == render_ecomap(_household())
    assert render_ecomap(_household(), inline=True) == render_ecomap(_household(), inline=True)


def test_each_relation_kind_has_its_own_line_style_even_without_colour():
    svg = render_ecomap(_household())
    styles = {kind: _style(svg, f"relation-{kind}-{key}")
              for kind, key in (("support", "a1"), ("referral", "a2"), ("task", "a1"), ("past", "a4"))}
    shapes = {kind: (s.get("stroke-dasharray"), float(s["stroke-width"])) for kind, s in styles.items()}
    assert len(set(shapes.values())) == 4
    assert shapes["support"][0] is None and shapes["past"][0] is None
    assert shapes["support"][1] > 2 * shapes["past"][1]  # thick against thin
    assert shapes["referral"][0] and shapes["task"][0] and shapes["referral"][0] != shapes["task"][0]


def test_a_referral_is_drawn_with_an_arrowhead_at_the_agency_end():
    svg = render_ecomap(_household())
    head = _bbox(svg, "relation-referral-a2-arrow")
    agency = _bbox(svg, "agency-a2")
    grown = (agency[0] - 4, agency[1] - 4, agency[2] + 4, agency[3] + 4)
    assert _overlaps(head, grown)
    ids = [g.get("id", "") for g in _root(svg).iter(f"{SVG}g")]
    assert [i for i in ids if i.endswith("-arrow")] == ["relation-referral-a2-arrow"]


def test_several_relations_with_one_agency_are_each_drawn_and_labelled():
    svg = render_ecomap(_household())
    _group(svg, "relation-support-a1")
    _group(svg, "relation-task-a1")
    assert "見守り訪問" in _texts(svg) and "介護保険の申請" in _texts(svg)


def test_a_relation_with_a_member_starts_at_that_member_and_one_without_at_the_household_boundary():
    svg = render_ecomap(_household())
    member, boundary = _bbox(svg, "member-m3"), _bbox(svg, "household-boundary")
    x, y = _start(svg, "relation-task-a3")
    assert abs(x - (member[0] + member[2]) / 2) < 20 and abs(y - (member[1] + member[3]) / 2) < 20  # points
    x, y = _start(svg, "relation-referral-a2")
    assert _within((x, y, x, y), (boundary[0] - 2, boundary[1] - 2, boundary[2] + 2, boundary[3] + 2))
    assert min(x - boundary[0], boundary[2] - x, y - boundary[1], boundary[3] - y) < 8  # on the rounded edge


def test_a_moved_out_member_is_drawn_dashed_outside_the_household_boundary():
    svg = render_ecomap(_household())
    boundary = _bbox(svg, "household-boundary")
    assert _within(_bbox(svg, "member-m1"), boundary)
    assert not _overlaps(_bbox(svg, "member-m4"), boundary)
    assert "stroke-dasharray" in _style(svg, "member-m4")
    assert "stroke-dasharray" not in _style(svg, "member-m1")


def test_the_primary_member_has_a_double_outline_and_a_deceased_one_a_grey_fill():
    svg = render_ecomap(_household())
    assert _within(_bbox(svg, "member-m1"), _bbox(svg, "member-m1-primary"))
    assert _style(svg, "member-m5")["fill"] != _style(svg, "member-m2")["fill"]


def test_long_labels_are_cut_short_with_an_ellipsis():
    long = "毎週月曜日と木曜日に自宅を訪問して安否を確認し記録する"
    agencies = (EcoAgency("a1", "北区地域包括支援センター", "高齢", (EcoRelation("support", long),)),)
    texts = _texts(render_ecomap(_household(agencies=agencies)))
    assert long not in texts and "毎週月曜日と" in texts and "…" in texts


def test_no_external_url_other_than_the_w3c_namespaces_appears():
    for svg in (render_ecomap(_household()), render_ecomap(_household(), inline=True)):
        urls = set(re.findall(r"https?://[^\s\"'<>)]+", svg))
        assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
        assert "<metadata" not in svg and "DOCTYPE" not in svg and "<image" not in svg and "url(" not in svg


def test_an_empty_household_renders_with_both_notes():
    texts = _texts(render_ecomap(EcoMap("世帯 #1 のエコマップ", (), ())))
    assert "世帯員が登録されていません" in texts
    assert "関わっている機関はまだありません" in texts


def test_a_household_without_agencies_shows_its_members_and_the_note():
    texts = _texts(render_ecomap(_household(agencies=())))
    assert "北村 一郎" in texts and "関わっている機関はまだありません" in texts
    assert "世帯員が登録されていません" not in texts


def test_a_household_with_thirty_agencies_renders_every_one_without_overlapping_boxes():
    fields = ("高齢", "障がい", "子ども", "生活困窮", "保健医療", "教育", "住まい", "就労", "その他")
    kinds = ("support", "referral", "task", "past")
    agencies = tuple(
        EcoAgency(f"x{i}", f"相談支援機関 第{i}センター", fields[i % 9],
                  (EcoRelation(kinds[i % 4], f"関わり{i}", "m1" if i % 2 else None),))
        for i in range(30)
    )
    svg = render_ecomap(_household(agencies=agencies))
    boxes = [_bbox(svg, f"agency-x{i}") for i in range(30)]
    assert not [(i, j) for i in range(30) for j in range(i + 1, 30) if _overlaps(boxes[i], boxes[j])]
    assert all(0 <= b[0] and b[2] <= 720 and 0 <= b[1] and b[3] <= 504 for b in boxes)


def test_an_unknown_member_key_or_kind_does_not_crash():
    agencies = (EcoAgency("a1", "どこか", "司法", (EcoRelation("ended", "", "nobody"),)),)
    svg = render_ecomap(_household(agencies=agencies))
    assert "司法" in _texts(svg)


def test_inline_output_is_a_bare_svg_element_with_an_accessible_name():
    svg = render_ecomap(_household(), inline=True)
    assert svg.startswith("<svg")
    assert 'role="img"' in svg and 'aria-label="世帯 #12 のエコマップ"' in svg
    assert "<?xml" not in svg
    title = _root(svg).find(f"{SVG}title")
    assert title is not None and title.text == "世帯 #12 のエコマップ"


def test_the_standalone_document_keeps_its_xml_declaration():
    assert render_ecomap(_household()).startswith("<?xml")


def test_the_svg_carries_no_css_so_inlining_does_not_restyle_the_page_and_the_csp_allows_it():
    # No <style> and no style="…": the Content-Security-Policy (style-src 'self') refuses both. matplotlib's
    # `*{stroke-linejoin: round; stroke-linecap: butt}` rule became attributes of the root, which the rest inherit.
    for svg in (render_ecomap(_household(), inline=True), render_ecomap(_household())):
        assert 'class="ecomap"' in svg
        assert "<style" not in svg and "style=" not in svg
        root = _root(svg)
        assert (root.get("stroke-linejoin"), root.get("stroke-linecap")) == ("round", "butt")


def test_a_title_with_markup_characters_is_escaped():
    svg = render_ecomap(_household(title='<b>"A&B"</b> 世帯'), inline=True)
    root = _root(svg)
    assert root.get("aria-label") == '<b>"A&B"</b> 世帯'
    assert root.find(f"{SVG}title").text == '<b>"A&B"</b> 世帯'


def test_a_machine_without_japanese_fonts_renders_without_warnings_or_log_noise(monkeypatch, caplog):
    monkeypatch.setattr(ecomap, "FONT_FAMILY", ["No Such Font For The Ecomap Test", "DejaVu Sans"])
    with warnings.catch_warnings(), caplog.at_level(logging.WARNING):
        warnings.simplefilter("error")
        svg = render_ecomap(_household())
    assert "北村 一郎" in svg
    assert not [r for r in caplog.records if r.name.startswith("matplotlib")]


def test_rendering_leaves_the_global_matplotlib_settings_alone():
    import matplotlib

    before = {k: matplotlib.rcParams[k] for k in ("svg.fonttype", "svg.hashsalt", "font.family")}
    level = logging.getLogger("matplotlib.font_manager").level
    render_ecomap(_household())
    assert {k: matplotlib.rcParams[k] for k in before} == before
    assert logging.getLogger("matplotlib.font_manager").level == level


def test_concurrent_renders_in_threads_give_the_same_svg_as_one_at_a_time():
    expected = render_ecomap(_household())
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: render_ecomap(_household()), range(4)))
    assert results == [expected] * 4


# Names as people type them: matplotlib would read `$…$` as math text and fail on the broken formula (500).
MATH_NAME = "山田$\\frac{1$"
HOSTILE_NAMES = [MATH_NAME, "$x_^{", "a$b$c", "_^{}$", "<script>alert(1)</script>", "　 　", " ", "長" * 200]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_any_name_renders_as_plain_text(name):
    agencies = (EcoAgency("a1", name, "高齢", (EcoRelation("support", name, "m1"), EcoRelation("task", name))),)
    members = (EcoMember("m1", name, name, is_primary=True), EcoMember("m2", "北村 和子", "妻"))
    svg = render_ecomap(_household(title=name, members=members, agencies=agencies), inline=True)
    root = _root(svg)  # well-formed: nothing the name holds became markup
    assert "<script" not in svg and not list(root.iter(f"{SVG}script"))
    assert root.find(f"{SVG}title").text == name
    shown = " ".join(name.split())
    if shown and ecomap._em(shown) <= 8:  # short enough to be shown whole under the member's symbol
        assert shown in [t.text for t in root.iter(f"{SVG}text")]


def test_a_name_with_dollars_is_set_as_written_not_as_a_formula():
    texts = [t.text for t in _root(render_ecomap(_household(members=(EcoMember("m1", MATH_NAME, "本人"),)))).iter(
        f"{SVG}text")]
    assert MATH_NAME in texts


@pytest.mark.django_db
class TestPages:
    """Through the client, as the coordinator of the ward: the household page (the map inline) and the map file."""

    @pytest.fixture
    def household(self, case_kita, kita_houkatsu):
        kita_houkatsu.name = "$\\frac{1$_^{センター"
        kita_houkatsu.save()
        return case_kita.household

    @pytest.mark.parametrize("name", [MATH_NAME, "$x_^{", "<script>alert(1)</script>", "　 ", "長" * 100])
    def test_the_household_page_and_the_eco_map_show_any_member_name(self, client, coordinator_kita, household, name):
        HouseholdMemberFactory(household=household, name=name, is_primary=False, relationship="child")
        client.force_login(coordinator_kita)
        page = client.get(reverse("cases:household_detail", args=[household.pk]))
        svg = client.get(reverse("cases:household_ecomap", args=[household.pk]))
        assert (page.status_code, svg.status_code) == (200, 200)
        html, document = page.content.decode(), svg.content.decode()
        assert "<script>alert(1)</script>" not in html and "<script>alert(1)</script>" not in document
        texts = [t.text for t in _root(document).iter(f"{SVG}text")]
        assert "$\\frac{1$_^{センター" in "".join(t or "" for t in texts)  # the agency, wrapped over lines
        if name == MATH_NAME:
            assert MATH_NAME in html and MATH_NAME in texts


# ------------------------------------------------------------------------------ the drawing is kept (issue 16)


@pytest.fixture
def draws(monkeypatch):
    """Count the real drawings made (matplotlib), still drawing them."""
    calls = []
    real = ecomap.draw_ecomap

    def counted(data):
        calls.append(data)
        return real(data)

    monkeypatch.setattr(ecomap, "draw_ecomap", counted)
    return calls


@pytest.mark.django_db
def test_the_same_input_is_drawn_once_and_then_read_back(draws):
    first = ecomap_data.drawn_ecomap(_household(), inline=True)
    again = ecomap_data.drawn_ecomap(_household(), inline=True)
    document = ecomap_data.drawn_ecomap(_household(), inline=False)
    assert len(draws) == 1
    assert first == again == render_ecomap(_household(), inline=True)
    assert document == render_ecomap(_household(), inline=False)


DRAWN_CHANGES = {
    "title": {"title": "世帯 #13 のエコマップ"},
    "member name": {"members": (EcoMember("m1", "北村 一朗", "本人 68歳", is_primary=True, sex="male"),)},
    "member label": {"members": (EcoMember("m1", "北村 一郎", "本人 69歳", is_primary=True, sex="male"),)},
    "member sex": {"members": (EcoMember("m1", "北村 一郎", "本人 68歳", is_primary=True, sex="other"),)},
    "member deceased": {"members": (EcoMember("m1", "北村 一郎", "本人 68歳", is_primary=True, sex="male",
                                              deceased=True),)},
    "agency name": {"agencies": (EcoAgency("a1", "北区地域包括支援センター", "高齢", (EcoRelation("support", "見守り"),)),)},
    "agency field": {"agencies": (EcoAgency("a1", "北区包括", "障がい", (EcoRelation("support", "見守り"),)),)},
    "relation kind": {"agencies": (EcoAgency("a1", "北区包括", "高齢", (EcoRelation("past", "見守り"),)),)},
    "relation label": {"agencies": (EcoAgency("a1", "北区包括", "高齢", (EcoRelation("support", "訪問"),)),)},
    "relation member": {"agencies": (EcoAgency("a1", "北区包括", "高齢", (EcoRelation("support", "見守り", "m1"),)),)},
}


@pytest.mark.django_db
@pytest.mark.parametrize("change", DRAWN_CHANGES)
def test_a_change_to_anything_drawn_draws_a_new_map(draws, change):
    base = EcoMap("世帯 #12 のエコマップ", (EcoMember("m1", "北村 一郎", "本人 68歳", is_primary=True, sex="male"),),
                  (EcoAgency("a1", "北区包括", "高齢", (EcoRelation("support", "見守り"),)),))
    changed = EcoMap(**{"title": base.title, "members": base.members, "agencies": base.agencies,
                        **DRAWN_CHANGES[change]})
    before = ecomap_data.drawn_ecomap(base, inline=True)
    after = ecomap_data.drawn_ecomap(changed, inline=True)
    assert draws == [base, changed]
    assert before != after
    assert after == render_ecomap(changed, inline=True)


@pytest.mark.django_db
def test_a_change_to_the_drawing_code_draws_again(draws, monkeypatch):
    ecomap_data.drawn_ecomap(_household(), inline=True)
    monkeypatch.setattr(ecomap_data, "drawing_version", lambda: "another-version")
    ecomap_data.drawn_ecomap(_household(), inline=True)
    assert len(draws) == 2


def test_opening_the_pages_code_does_not_load_matplotlib():
    """The household views and the eco-map's data are imported without matplotlib: it loads on the first drawing."""
    code = ("import sys, django; django.setup(); import cases.views, cases.ecomap_data, core.svg; "
            "print(sorted(m for m in ('matplotlib', 'networkx') if m in sys.modules))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.django_db
class TestKeptOnPages:
    """The household page draws its map once; renaming a member or an agency, or a new relation, draws it again."""

    def _open(self, client, household):
        response = client.get(reverse("cases:household_detail", args=[household.pk]))
        assert response.status_code == 200
        return response.content.decode()

    def test_a_second_visit_does_not_draw_and_a_change_does(self, client, coordinator_kita, case_kita, kita_houkatsu,
                                                             draws):
        household = case_kita.household
        member = HouseholdMemberFactory(household=household, name="北村 次郎", is_primary=False, relationship="child")
        client.force_login(coordinator_kita)
        self._open(client, household)
        self._open(client, household)
        client.get(reverse("cases:household_ecomap", args=[household.pk]))
        assert len(draws) == 1
        type(member).objects.filter(pk=member.pk).update(name="北村 三郎")
        assert "北村 三郎" in self._open(client, household)
        assert len(draws) == 2
        kita_houkatsu.name = "北区地域包括支援センター（改称）"
        kita_houkatsu.save()
        assert "（改称）" in self._open(client, household)
        assert len(draws) == 3
        self._open(client, household)
        assert len(draws) == 3

    def test_the_drawing_is_kept_in_the_drawings_table_not_with_the_counters(self, client, coordinator_kita, case_kita):
        """A database cache counts its whole table on every write: the rate limits' table stays small."""
        from django.db import connection

        client.force_login(coordinator_kita)
        self._open(client, case_kita.household)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM django_cache_drawings WHERE cache_key LIKE %s", ["%ecomap%"])
            drawings = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM django_cache WHERE cache_key LIKE %s", ["%ecomap%"])
            counters = cursor.fetchone()[0]
        assert (drawings, counters) == (1, 0)
