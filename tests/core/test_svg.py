"""What the server-drawn SVGs share: measuring and wrapping text the server may have no font for, and text that
is always plain (never matplotlib math text)."""

import io
from xml.sax.saxutils import escape

import matplotlib as mpl
import pytest
from matplotlib.figure import Figure

from core.svg import drawing, text_em, wrap_label


def test_full_width_characters_are_one_em_and_the_rest_less():
    assert text_em("地域") == 2 and text_em("R2") == pytest.approx(1.2)


@pytest.mark.parametrize(("label", "lines"), [
    ("精神障がい（疑い含む）", ["精神障がい（疑い含む）"]),
    ("地域ケア会議・要保護児童対策地域協議会の共催", ["地域ケア会議・", "要保護児童対策地域協議会の共催"]),
    ("障がい者基幹相談支援センター（北部・南部合同）", ["障がい者基幹相談支援センター", "（北部・南部合同）"]),
    ("あいうえおかきくけこさしすせそたちつてと", ["あいうえおかきくけこさしすせそた", "ちつてと"]),
    ("あいうえおかきくけこさしすせそた）ちつ", ["あいうえおかきくけこさしすせそ", "た）ちつ"]),  # no line opens on 「）」
])
def test_long_labels_wrap_at_a_natural_break_and_nothing_is_lost(label, lines):
    assert wrap_label(label, 16) == lines
    assert all(text_em(line) <= 16 for line in lines)


HOSTILE = ["山田$\\frac{1$", "$x_^{", "a$b$c", "$", "_^{}", "\\$\\alpha$"]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_drawn_inside_drawing_is_plain_even_when_the_caller_asks_for_math(text):
    buffer = io.BytesIO()
    with drawing({"svg.fonttype": "none", "text.parse_math": True, "text.usetex": False}):
        figure = Figure(figsize=(2, 1))
        label = figure.text(0.1, 0.5, text)
        figure.savefig(buffer, format="svg")
    assert label.get_parse_math() is False and label.get_usetex() is False
    assert escape(text) in buffer.getvalue().decode("utf-8")  # set as written, not parsed as a formula


def test_drawing_leaves_the_process_settings_as_they_were():
    before = {key: mpl.rcParams[key] for key in ("text.parse_math", "text.usetex", "font.size")}
    with drawing({"font.size": 3}):
        assert (mpl.rcParams["text.parse_math"], mpl.rcParams["font.size"]) == (False, 3)
    assert {key: mpl.rcParams[key] for key in before} == before
