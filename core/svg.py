"""What every server-drawn SVG (eco-map, report charts) shares: fonts, the render lock, quiet font warnings.

matplotlib draws; the browser sets the text (svg.fonttype "none"), so Japanese needs no font on the server.
"""

import logging
import re
import threading
import unicodedata
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from xml.sax.saxutils import escape, quoteattr

# The browser draws the text, so list what browsers have; the server may have none.
FONT_FAMILY = ["Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo", "IPAexGothic", "sans-serif"]
RENDER_LOCK = threading.Lock()  # rcParams, warning filters and logger levels are process-wide
# Date None keeps the output byte-identical; the other Nones drop the RDF block and its URLs.
SVG_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}


def text_em(text: str) -> float:
    """Width in ems as a browser sets it: full-width characters 1em, the rest at most about 0.6em. matplotlib
    cannot measure text it has no font for, so layouts that must not cut a label measure with this."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in text)


BREAK_AFTER, BREAK_BEFORE, NEVER_FIRST = "・、，,／/", "（(「", "）)」』、。，,・"


def wrap_label(text: str, max_em: float) -> list[str]:
    """Lines of at most `max_em`, broken after 「・」「、」 or before 「（」 where one fits, else where the width runs out."""
    lines = []
    while text_em(text) > max_em:
        fits = [i for i in range(1, len(text)) if text_em(text[:i]) <= max_em]
        allowed = [i for i in fits if text[i] not in NEVER_FIRST] or fits or [1]  # no line opens on 「）」
        cut = allowed[-1]
        natural = [i for i in allowed if text[i - 1] in BREAK_AFTER or text[i] in BREAK_BEFORE]
        if natural and text_em(text[:natural[-1]]) >= max_em / 3:  # not a stub of a line
            cut = natural[-1]
        lines.append(text[:cut])
        text = text[cut:]
    return [*lines, text]


@contextmanager
def quiet_fonts() -> Iterator[None]:
    """Missing Japanese fonts only affect matplotlib's own measuring here: silence that noise."""
    logger = logging.getLogger("matplotlib.font_manager")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"(?s).*(missing from font|findfont)")
            yield
    finally:
        logger.setLevel(level)


def titled_svg(svg: str, *, css_class: str, title: str, inline: bool) -> str:
    """Drop the DOCTYPE (it names an external DTD), add role/title, scope matplotlib's `*{…}` CSS rule."""
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg)
    svg = re.sub(r"<svg ([^>]*)>", lambda m: f'<svg class="{css_class}" role="img" aria-label={quoteattr(title)} '
                 f"{m[1]}>\n <title>{escape(title)}</title>", svg, count=1)
    svg = svg.replace("*{stroke-linejoin", f".{css_class} *{{stroke-linejoin", 1)
    return svg[svg.index("<svg"):] if inline else svg
