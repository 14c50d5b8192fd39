import pytest

from core.text import digits_only, normalize_address, normalize_kana


@pytest.mark.parametrize("typed", ["きたむら いちろう", "キタムラ　イチロウ", "ｷﾀﾑﾗ ｲﾁﾛｳ", "きたむらいちろう", "キタムライチロウ"])
def test_a_kana_name_in_any_script_normalises_to_the_same_hiragana(typed):
    assert normalize_kana(typed) == "きたむらいちろう"


def test_voiced_half_width_kana_are_joined():
    assert normalize_kana("ｼﾞﾛｳ") == "じろう"


@pytest.mark.parametrize(
    "typed", ["大阪市北区梅田１丁目２番３号", "大阪市北区梅田1-2-3", "大阪市 北区 梅田 1－2－3", "大阪市北区梅田1ー2ー3"]
)
def test_addresses_written_differently_normalise_to_the_same_text(typed):
    assert normalize_address(typed) == "大阪市北区梅田1-2-3"


def test_a_long_vowel_mark_in_a_building_name_is_kept():
    assert normalize_address("コーポ北1-2") == "コーポ北1-2"


def test_phone_numbers_compare_by_digits():
    assert digits_only("０６－１２３４－５６７８") == digits_only("06(1234)5678") == "0612345678"
