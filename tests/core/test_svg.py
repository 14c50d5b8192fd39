"""What the server-drawn SVGs share: measuring and wrapping text the server may have no font for."""

import pytest

from core.svg import text_em, wrap_label


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
