"""What every server-drawn SVG (eco-map, report charts) shares: fonts, the render lock, quiet font warnings, and
text that is always plain text.

matplotlib draws; the browser sets the text (svg.fonttype "none"), so Japanese needs no font on the server.
Every figure is drawn inside :func:`drawing`, which turns matplotlib's math text and TeX off: a name such as
``山田$\\frac{1$`` or a master label with ``_^{`` is set as written instead of parsed (and failing) as a formula.
"""

import logging
import re
import threading
import unicodedata
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from xml.sax.saxutils import escape, quoteattr, unescape

# The browser draws the text, so list what browsers have; the server may have none.
FONT_FAMILY = ["Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo", "IPAexGothic", "sans-serif"]
RENDER_LOCK = threading.Lock()  # rcParams, warning filters and logger levels are process-wide
# Date None keeps the output byte-identical; the other Nones drop the RDF block and its URLs.
SVG_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
# Names, agencies and master labels come from users: never math text ($…$) or TeX. A Text takes these settings
# when it is made, so every Text made inside drawing() is plain, whatever the caller passes in `rc`.
PLAIN_TEXT: dict[str, Any] = {"text.parse_math": False, "text.usetex": False}


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


@contextmanager
def drawing(rc: dict[str, Any]) -> Iterator[None]:
    """Where every server-drawn figure is made and saved: the render lock, the figure's settings (`rc`) with text
    always plain (PLAIN_TEXT wins over `rc`), and quiet font warnings."""
    import matplotlib as mpl  # here, not at the top: a page that finds its drawing already made never loads it

    settings: dict[Any, Any] = {**rc, **PLAIN_TEXT}
    with RENDER_LOCK, mpl.rc_context(settings), quiet_fonts():
        yield


# What matplotlib writes in style="…": all of them SVG presentation attributes, which a Content-Security-Policy
# without 'unsafe-inline' allows (it refuses style="…" and <style>). Anything else fails loudly here.
PRESENTATION = {"fill", "fill-opacity", "fill-rule", "font-family", "font-size", "font-style", "font-weight", "opacity",
                "stroke", "stroke-dasharray", "stroke-dashoffset", "stroke-linecap", "stroke-linejoin",
                "stroke-miterlimit", "stroke-opacity", "stroke-width", "text-anchor", "clip-rule"}


# A start tag and its attributes, either quoting. Text cannot hold `<` (matplotlib escapes it) and comments (where
# matplotlib repeats a text as written) do not start with a letter, so only real tags and real attributes match:
# a name typed as `x style="…"` stays text, and an id holding `style="…"` stays the id's value.
TAG = re.compile(r"""<[A-Za-z][^\s/>]*(?:\s+[^\s=/>]+=(?:"[^"]*"|'[^']*'))*\s*/?>""")
ATTRIBUTE = re.compile(r"""\s+([^\s=/>]+)=("[^"]*"|'[^']*')""")


def _as_attributes(style: str) -> str:
    declarations = [part.split(":", 1) for part in unescape(style, {"&quot;": '"', "&apos;": "'"}).split(";")
                    if part.strip()]
    names = [name.strip() for name, _ in declarations]
    if not set(names) <= PRESENTATION:
        raise ValueError(f"not an SVG presentation attribute: {sorted(set(names) - PRESENTATION)}")
    return "".join(f" {name}={quoteattr(value.strip())}" for name, (_, value) in zip(names, declarations, strict=True))


def _tag_attributes(tag: re.Match) -> str:
    return ATTRIBUTE.sub(lambda a: _as_attributes(a[2][1:-1]) if a[1] == "style" else a[0], tag[0])


def titled_svg(svg: str, *, css_class: str, title: str, inline: bool) -> str:
    """Drop the DOCTYPE (it names an external DTD), add role/title, and write matplotlib's CSS as presentation
    attributes: its `*{stroke-linejoin: round; stroke-linecap: butt}` rule on the root, inherited by everything
    that sets neither, and each style="…" as attributes of its element (no inline style under the CSP)."""
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg)
    svg = re.sub(r'\s*<defs>\s*<style type="text/css">\*\{stroke-linejoin: round; stroke-linecap: butt\}</style>\s*</defs>',
                 "", svg, count=1)
    svg = re.sub(r"<svg ([^>]*)>", lambda m: f'<svg class="{css_class}" role="img" aria-label={quoteattr(title)} '
                 f'stroke-linejoin="round" stroke-linecap="butt" {m[1]}>\n <title>{escape(title)}</title>', svg, count=1)
    svg = TAG.sub(_tag_attributes, svg)
    return svg[svg.index("<svg"):] if inline else svg
