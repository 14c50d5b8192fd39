"""エコマップ: a household's members in the centre, every agency involved around them, rendered as SVG.

A pure function over plain dataclasses (no ORM), so it can be unit-tested now and fed from the models later.
Units are inches: the 10×7 figure has one axes spanning it, x in [-5, 5] and y in [-3.5, 3.5]; the figure is then
cut off below what was drawn (at most 7 inches high).
"""

import io
import math
import re
import unicodedata

import networkx as nx
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyBboxPatch, Patch, Polygon, Rectangle

from core.svg import FONT_FAMILY, SVG_METADATA, drawing, titled_svg

from .ecomap_input import EcoAgency, EcoMap, EcoMember, EcoRelation

__all__ = ["EcoAgency", "EcoMap", "EcoMember", "EcoRelation", "draw_ecomap", "render_ecomap"]


Point = tuple[float, float]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1
KIND_LABELS = {"support": "支援中", "referral": "つなぎ", "task": "役割分担", "past": "過去の関わり"}
# Width and dash pattern, not colour, tell the kinds apart: the map is often printed in black and white.
KIND_STYLES: dict[str, dict] = {
    "support": {"linewidth": 2.8, "linestyle": "-", "color": "#222222"},
    "referral": {"linewidth": 1.4, "linestyle": (0, (6, 3)), "color": "#222222"},
    "task": {"linewidth": 2.2, "linestyle": (0, (0.1, 2)), "color": "#222222", "dash_capstyle": "round"},
    "past": {"linewidth": 0.9, "linestyle": "-", "color": "#999999"},
}
# Okabe–Ito based, told apart with common colour-vision deficiencies; this order also groups the ring.
FIELD_COLOURS = {"高齢": "#E69F00", "障がい": "#56B4E9", "子ども": "#009E73", "生活困窮": "#D55E00",
                 "保健医療": "#CC79A7", "教育": "#0072B2", "住まい": "#B8A000", "就労": "#8C564B", "その他": "#7F7F7F"}
LEGEND_MEMBERS = {"女性": EcoMember("", "", "", sex="female"), "男性": EcoMember("", "", "", sex="male"),
                  "その他": EcoMember("", "", ""), "本人": EcoMember("", "", "", is_primary=True),
                  "死亡": EcoMember("", "", "", deceased=True), "転出": EcoMember("", "", "", moved_out=True)}
CENTRE, RING = (-0.95, -0.2), (3.35, 2.8)  # the map's centre and ring radii; the legend has the right column
MAP: Box = (-4.95, -3.45, 3.15, 3.0)
HOUSE_ROUND, BOX_ROUND, NODE = 0.35, 0.08, 0.15


def _em(text: str) -> float:
    """Approximate width in ems: full-width characters 1em, the rest about 0.6em."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in text)


def _truncate(text: str, max_em: float = 16) -> str:
    text = " ".join(text.split())
    if _em(text) <= max_em:
        return text
    while _em(text) > max_em - 1:
        text = text[:-1]
    return text.rstrip() + "…"


def _wrap(text: str, max_em: float) -> list[str]:
    """At most two lines: at the space nearest the middle if both halves fit, else at the middle."""
    text = " ".join(text.split())
    if _em(text) <= max_em:
        return [text]
    spaces = [i for i, c in enumerate(text) if c == " " and max(_em(text[:i]), _em(text[i + 1 :])) <= max_em]
    cut = min(spaces or range(1, len(text)), key=lambda i: abs(_em(text[:i]) - _em(text) / 2))
    return [_truncate(text[:cut], max_em), _truncate(text[cut:].strip(), max_em)]


def _gid(*parts: str) -> str:
    return "-".join(re.sub(r"[^\w-]", "_", p) for p in parts)


def _grow(box: Box, by: float) -> Box:
    return box[0] - by, box[1] - by, box[2] + by, box[3] + by


def _around(centre: Point, size: Point) -> Box:
    return centre[0] - size[0] / 2, centre[1] - size[1] / 2, centre[0] + size[0] / 2, centre[1] + size[1] / 2


def _inside(box: Box, r: float, x: float, y: float) -> bool:
    x0, y0, x1, y1 = box
    qx, qy = min(max(x, x0 + r), x1 - r), min(max(y, y0 + r), y1 - r)  # nearest point of the inner rectangle
    return x0 <= x <= x1 and y0 <= y <= y1 and math.hypot(x - qx, y - qy) <= r


def _leave(box: Box, r: float, a: Point, b: Point) -> Point:
    """The first point of the segment a→b outside a rounded box (in 1/100 inch steps: enough for print)."""
    n = max(1, int(math.hypot(b[0] - a[0], b[1] - a[1]) / 0.01))
    steps = ((a[0] + (b[0] - a[0]) * i / n, a[1] + (b[1] - a[1]) * i / n) for i in range(n + 1))
    return next((p for p in steps if not _inside(box, r, *p)), b)


def _distance(p: Point, a: Point, b: Point) -> float:
    """From a point to the segment a–b."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy or 1)))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def _separate(boxes: list[Box], obstacles: list[Box]) -> list[Box]:
    """Nudge overlapping boxes apart, off the obstacles and into the map area (it matters when crowded)."""
    movable, fixed = [list(b) for b in boxes], [list(b) for b in obstacles]
    for _ in range(100):
        moved = False
        for i, a in enumerate(movable):
            for b, pinned in [(b, False) for b in movable[i + 1 :]] + [(f, True) for f in fixed]:
                ox, oy = min(a[2], b[2]) - max(a[0], b[0]) + 0.06, min(a[3], b[3]) - max(a[1], b[1]) + 0.06
                if ox > 0 and oy > 0:  # push apart along the axis that needs the shorter move
                    moved, axis = True, 0 if ox < oy else 1
                    share = (ox if axis == 0 else oy) / (1 if pinned else 2)
                    sign = 1 if a[axis] + a[axis + 2] >= b[axis] + b[axis + 2] else -1
                    for k in (axis, axis + 2):
                        a[k] += sign * share
                        b[k] -= 0 if pinned else sign * share
            dx = max(MAP[0] - a[0], 0) + min(MAP[2] - a[2], 0)
            dy = max(MAP[1] - a[1], 0) + min(MAP[3] - a[3], 0)
            a[:] = [a[0] + dx, a[1] + dy, a[2] + dx, a[3] + dy]
        if not moved:
            break
    return [(b[0], b[1], b[2], b[3]) for b in movable]


def _ring(count: int) -> list[Point]:
    """Evenly on an ellipse, clockwise from the top in field order; alternate radii when crowded."""
    ring = nx.circular_layout(nx.path_graph(count)) if count > 1 else {0: (1.0, 0.0)}
    k = [0.8 if count > 14 and i % 2 else 1.0 for i in range(count)]
    # Swapping the axes turns networkx's counter-clockwise-from-east into clockwise-from-top.
    return [(CENTRE[0] + float(ring[i][1]) * RING[0] * k[i], CENTRE[1] + float(ring[i][0]) * RING[1] * k[i])
            for i in range(count)]


def _member_layout(ecomap: EcoMap, places: dict[str, Point]) -> tuple[dict[str, Point], Box]:
    """Members in the household in rows inside the boundary box; moved-out members in a row below it."""
    inside = [m for m in ecomap.members if not m.moved_out]
    n = len(inside)
    cols = n if n <= 3 else 2 if n == 4 else 3 if n <= 9 else 4
    rows = math.ceil(n / cols) if n else 0
    slots = [(CENTRE[0] + (c - (min(cols, n - r * cols) - 1) / 2) * 1.05,
              CENTRE[1] + 0.15 + ((rows - 1) / 2 - r) * 0.9) for r, c in (divmod(i, cols) for i in range(n))]
    # Seat each member on the slot facing their agencies, so fewer lines cross the household: a matching
    # weighted by that alignment, less a little for leaving the given order (which breaks ties).
    pull = {m.key: [0.0, 0.0] for m in ecomap.members}
    for a in ecomap.agencies:
        for rel in a.relations:
            for k in (0, 1):
                pull.get(rel.member_key or "", [0.0, 0.0])[k] += places[a.key][k] - CENTRE[k]
    graph = nx.Graph()
    for i, m in enumerate(inside):
        for j, (x, y) in enumerate(slots):
            align = (x - CENTRE[0]) * pull[m.key][0] + (y - CENTRE[1]) * pull[m.key][1]
            graph.add_edge(i, n + j, weight=1000 + align - 0.01 * abs(i - j))
    seats = dict(nx.max_weight_matching(graph, maxcardinality=True)) if n > 1 else {0: 1}
    seats.update({v: k for k, v in seats.items()})
    pos = {m.key: slots[seats[i] - n] for i, m in enumerate(inside)}
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    box = (min(xs) - 0.65, min(ys) - 0.65, max(xs) + 0.65, max(ys) + 0.35) if n else (-2.0, -0.75, 0.1, 0.35)
    # Moved out: in a row under the household, on the spots furthest from the relation lines.
    out, y = [m for m in ecomap.members if m.moved_out], box[1] - 0.45
    lines = [(pos.get(r.member_key or "", CENTRE), places[a.key]) for a in ecomap.agencies for r in a.relations]

    def crowding(k: int) -> tuple[float, int]:
        return -min([_distance((CENTRE[0] + k * 1.05, y - 0.2), *line) for line in lines] or [0]), abs(k)

    spots = sorted(sorted(range(-len(out) - 1, len(out) + 2), key=crowding)[: len(out)])
    pos.update({m.key: (CENTRE[0] + k * 1.05, y) for m, k in zip(out, spots, strict=True)})
    return pos, box


def _text_size(s: str, size: float) -> Point:
    return max(map(_em, s.split("\n"))) * size / 72 + 0.1, (s.count("\n") + 1) * size * 1.3 / 72 + 0.06


def _text(ax: Axes, x: float, y: float, s: str, size: float = 9, backdrop: dict | None = None, *,
          ha: str = "center", va: str = "center", gid: str | None = None, zorder: float = 4, **kw) -> None:
    """One baseline-anchored <text> per line, placed here rather than from font metrics: the server may
    have no Japanese font, and matplotlib measures missing glyphs as zero-width."""
    lines, pitch, (w, h) = s.split("\n"), size * 1.3 / 72, _text_size(s, size)
    top = y + len(lines) * pitch / 2 if va == "center" else y
    for i, line in enumerate(lines):  # an ideograph's middle sits about 0.36em above the baseline
        ax.text(x, top - (i + 0.5) * pitch - 0.36 * size / 72, line, fontsize=size, ha=ha, va="baseline",
                gid=None if i else gid, zorder=zorder, **kw)
    if backdrop:
        ax.add_patch(FancyBboxPatch((x - w / 2 if ha == "center" else x - 0.05, top - h + 0.03), w, h,
                                    boxstyle="round,pad=0,rounding_size=0.04", zorder=zorder - 0.5, **backdrop))


def _shape(sex: str, x: float, y: float, s: float, **style) -> Patch:
    """Genogram convention: circle for female, square for male, rounded square otherwise."""
    if sex == "female":
        return Circle((x, y), s, **style)
    if sex == "male":
        return Rectangle((x - s, y - s), 2 * s, 2 * s, **style)
    return FancyBboxPatch((x - s, y - s), 2 * s, 2 * s, boxstyle=f"round,pad=0,rounding_size={s / 2}", **style)


def _draw_member(ax: Axes, m: EcoMember, x: float, y: float, s: float = NODE, texts: bool = True) -> None:
    gid = _gid("member", m.key) if texts else None
    style = {"linewidth": 1.6 if texts else 1.2, "edgecolor": "#222222", "zorder": 6,
             "linestyle": "--" if m.moved_out else "-"}
    ax.add_patch(_shape(m.sex, x, y, s, facecolor="#c8c8c8" if m.deceased else "white", gid=gid, **style))
    if m.is_primary:  # genogram convention: 本人 has a double outline
        ax.add_patch(_shape(m.sex, x, y, s * 1.35, facecolor="none", gid=gid and f"{gid}-primary", **style))
    if m.deceased:  # genogram convention: a cross over the symbol
        for sign in (1, -1):
            ax.add_line(Line2D([x - s, x + s], [y - sign * s, y + sign * s], color="#222222", zorder=7))
    if texts:  # the backdrop keeps names readable where relation lines cross the household
        backdrop = {"facecolor": "white", "edgecolor": "none", "alpha": 0.85}
        _text(ax, x, y - s - 0.08, _truncate(m.name, 8), 10, backdrop, va="top", zorder=6,
              color="#777777" if m.deceased else "black")
        _text(ax, x, y - s - 0.29, _truncate(m.label, 8), 9, backdrop, va="top", zorder=6, color="#444444")


def _draw_agency(ax: Axes, a: EcoAgency, lines: list[str], box: Box) -> None:
    colour = FIELD_COLOURS.get(a.field, FIELD_COLOURS["その他"])
    tint = tuple(0.8 + 0.2 * c for c in to_rgb(colour))  # a pale fill keeps black text readable
    ax.add_patch(FancyBboxPatch(box[:2], box[2] - box[0], box[3] - box[1], facecolor=tint, edgecolor=colour,
                                boxstyle=f"round,pad=0,rounding_size={BOX_ROUND}", linewidth=1.8, zorder=8,
                                gid=_gid("agency", a.key)))
    _text(ax, (box[0] + box[2]) / 2, (box[1] + box[3]) / 2, "\n".join(lines), 9.5, zorder=9)


def _draw_relations(ax: Axes, a: EcoAgency, abox: Box, members: dict[str, Point], hbox: Box) -> tuple[str, Point]:
    """Draw the agency's lines; return its label text and where it belongs (placed once all are known)."""
    centre, mids, labels, seen = ((abox[0] + abox[2]) / 2, (abox[1] + abox[3]) / 2), [], [], {}
    for i, rel in enumerate(a.relations):
        kind = rel.kind if rel.kind in KIND_STYLES else "support"
        if rel.member_key in members:  # from the edge of the member's symbol
            mx, my = members[rel.member_key]
            d = math.hypot(centre[0] - mx, centre[1] - my) or 1
            start = (mx + (centre[0] - mx) / d * (NODE + 0.06), my + (centre[1] - my) / d * (NODE + 0.06))
        else:  # the household as a whole (or an unknown member): from its boundary
            start = _leave(hbox, HOUSE_ROUND, ((hbox[0] + hbox[2]) / 2, (hbox[1] + hbox[3]) / 2), centre)
        end = _leave(abox, BOX_ROUND, centre, start)
        length = math.hypot(end[0] - start[0], end[1] - start[1]) or 1
        ux, uy = (end[0] - start[0]) / length, (end[1] - start[1]) / length
        off = (i - (len(a.relations) - 1) / 2) * 0.1  # several relations run side by side
        (sx, sy), (ex, ey) = ((p[0] - uy * off, p[1] + ux * off) for p in (start, end))
        seen[kind] = seen.get(kind, 0) + 1
        gid = _gid("relation", kind, a.key) + (f"-{seen[kind]}" if seen[kind] > 1 else "")
        tip = 0.14 if kind == "referral" else 0  # stop short so the dashes do not poke through the arrowhead
        ax.add_line(Line2D([sx, ex - ux * tip], [sy, ey - uy * tip], gid=gid, zorder=3, **KIND_STYLES[kind]))
        if kind == "referral":  # つなぎ points toward the agency the household is being connected to
            head = [(ex, ey), (ex - ux * 0.16 - uy * 0.06, ey - uy * 0.16 + ux * 0.06),
                    (ex - ux * 0.16 + uy * 0.06, ey - uy * 0.16 - ux * 0.06)]
            ax.add_patch(Polygon(head, facecolor="#222222", edgecolor="none", zorder=3, gid=f"{gid}-arrow"))
        ox, oy = _leave(hbox, HOUSE_ROUND, (sx, sy), (ex, ey))  # label the stretch outside the household
        mids.append(((ox + ex) / 2, (oy + ey) / 2))
        if rel.label.strip():
            labels += _wrap(_truncate(rel.label), 8)  # two short lines fit between household and ring
    mid = (sum(p[0] for p in mids) / len(mids), sum(p[1] for p in mids) / len(mids)) if mids else centre
    return "\n".join(labels), mid


def _draw_legend(ax: Axes, fields: list[str]) -> None:
    x, y = 3.35, 2.9
    _text(ax, x, y, "線の種類", 10.5, ha="left", weight="bold")
    for kind, label in KIND_LABELS.items():
        y -= 0.3
        ax.add_line(Line2D([x + 0.05, x + 0.6], [y, y], gid=f"legend-{kind}", **KIND_STYLES[kind]))
        if kind == "referral":
            ax.add_patch(Polygon([(x + 0.68, y), (x + 0.52, y + 0.06), (x + 0.52, y - 0.06)], facecolor="#222222"))
        _text(ax, x + 0.8, y, label, ha="left")
    y -= 0.45
    _text(ax, x, y, "人の記号", 10.5, ha="left", weight="bold")
    for i, (label, m) in enumerate(LEGEND_MEMBERS.items()):
        y -= 0.32 * (i % 2 == 0)
        _draw_member(ax, m, x + 0.15 + (i % 2) * 0.85, y, s=0.09, texts=False)
        _text(ax, x + 0.35 + (i % 2) * 0.85, y, label, ha="left")
    y -= 0.45
    if fields:
        _text(ax, x, y, "分野", 10.5, ha="left", weight="bold")
    for name in fields:
        y -= 0.28
        colour = FIELD_COLOURS.get(name, FIELD_COLOURS["その他"])
        ax.add_patch(Rectangle((x + 0.07, y - 0.08), 0.3, 0.16, facecolor=colour, gid=_gid("legend-field", name)))
        _text(ax, x + 0.5, y, _truncate(name, 9), ha="left")


def _draw(fig: Figure, ecomap: EcoMap) -> None:
    ax = fig.add_axes((0, 0, 1, 1), xlim=(-5, 5), ylim=(-3.5, 3.5))
    ax.set_axis_off()
    order = {f: i for i, f in enumerate(FIELD_COLOURS)}  # known fields in this order, then others, then その他
    agencies = sorted(ecomap.agencies, key=lambda a: (
        a.field == "その他", a.field not in order, order.get(a.field, 0), a.field, a.name, a.key))
    places = _ring(len(agencies))
    members, hbox = _member_layout(ecomap, {a.key: p for a, p in zip(agencies, places, strict=True)})
    names = [_wrap(a.name, 10 if len(agencies) <= 14 else 7) for a in agencies]  # narrower when crowded
    sizes = [(max(map(_em, lines)) * 9.5 / 72 + 0.16, len(lines) * 0.17 + 0.12) for lines in names]
    moved = [_around((x, y - 0.22), (1.0, 0.85)) for m in ecomap.members if m.moved_out for x, y in [members[m.key]]]
    boxes = _separate([_around(*p_size) for p_size in zip(places, sizes, strict=True)], [_grow(hbox, 0.25), *moved])
    _text(ax, -4.85, 3.3, _truncate(ecomap.title, 40), 14, ha="left", va="top", weight="bold")
    ax.add_patch(FancyBboxPatch(hbox[:2], hbox[2] - hbox[0], hbox[3] - hbox[1], facecolor="none",
                                boxstyle=f"round,pad=0,rounding_size={HOUSE_ROUND}", edgecolor="#444444",
                                linewidth=1.4, zorder=2, gid="household-boundary"))
    for m in ecomap.members:
        _draw_member(ax, m, *members[m.key])
    if not ecomap.members:
        _text(ax, CENTRE[0], CENTRE[1], "世帯員が登録されていません", 10, color="#555555", gid="note-no-members")
    if not agencies:
        _text(ax, CENTRE[0], CENTRE[1] - 2.2, "関わっている機関はまだありません", 11, color="#555555",
              gid="note-no-agencies")
    labels = []
    for a, lines, box in zip(agencies, names, boxes, strict=True):
        _draw_agency(ax, a, lines, box)
        text, mid = _draw_relations(ax, a, box, members, hbox)
        labels += [(a.key, text, _around(mid, _text_size(text, 9)))] if text else []
    # Labels are nudged off each other, the household and the agencies (with room for the arrowheads).
    spots = _separate([box for _, _, box in labels], [*(_grow(b, 0.16) for b in boxes), hbox, *moved])
    for (key, text, _), (x0, y0, x1, y1) in zip(labels, spots, strict=True):
        _text(ax, (x0 + x1) / 2, (y0 + y1) / 2, text, 9, {"facecolor": "white", "edgecolor": "#bbbbbb",
              "linewidth": 0.5, "alpha": 0.9}, zorder=5, gid=_gid("relation-label", key))
    _draw_legend(ax, list(dict.fromkeys(a.field for a in agencies)))
    for artist in ax.get_children():  # everything lies inside the canvas: no clip paths to reference
        artist.set_clip_on(False)
    _fit_height(fig, ax)


def _fit_height(fig: Figure, ax: Axes) -> None:
    """Cut the canvas off a little below the lowest thing drawn: a small map (the ring's lower half empty, a short
    legend) leaves no blank band under it on the page. Shapes and lines count by the axes' data limits, text by its
    baseline less a descent; the top and the inch-per-unit scale stay, so nothing drawn moves."""
    low = min([ax.dataLim.y0, *(t.get_position()[1] - 0.3 * t.get_fontsize() / 72 for t in ax.texts)])
    bottom = min(max(math.floor((low - 0.25) * 20) / 20, -3.5), 3.5 - 2)  # in 0.05in steps, at least 2in high
    ax.set_ylim(bottom, 3.5)
    fig.set_size_inches(10, 3.5 - bottom)


def draw_ecomap(ecomap: EcoMap) -> str:
    """The drawing itself, as matplotlib writes it (the costly part: cases/ecomap_data.py keeps what it made)."""
    rc = {"svg.fonttype": "none", "svg.hashsalt": "ecomap", "font.family": FONT_FAMILY, "font.size": 9}
    buffer = io.BytesIO()
    with drawing(rc):  # names, agencies and notes as plain text: a `$` in a name is a `$`
        fig = Figure(figsize=(10, 7))  # no pyplot: no global figure registry, safe in a web server
        _draw(fig, ecomap)
        # Date None keeps the output byte-identical; the other Nones drop the RDF block and its URLs
        # (so the <title> is added by titled_svg: matplotlib's Title would bring that block back).
        fig.savefig(buffer, format="svg", facecolor="white", metadata=SVG_METADATA)
    return buffer.getvalue().decode("utf-8")


def render_ecomap(ecomap: EcoMap, *, inline: bool = False) -> str:
    """Return the eco-map as a standalone SVG document, or (inline=True) just its <svg> element for HTML."""
    return titled_svg(draw_ecomap(ecomap), css_class="ecomap", title=ecomap.title, inline=inline)
