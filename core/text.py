"""Normalising Japanese text for search and duplicate detection.

A coordinator types a name in ひらがな, カタカナ or half-width ｶﾀｶﾅ, with or without spaces; all of them
must find the same person. Addresses differ in width, hyphens and 丁目/番/号.
"""

import re
import unicodedata
from collections.abc import Iterable

from django.utils.translation import pgettext

_SPACES = re.compile(r"\s+")
_HYPHENS = re.compile(r"[‐‑‒–—―−ー－ｰ-]")
_CHOME = re.compile(r"(\d+)(?:丁目|番地|番|号)")
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}


def normalize_kana(text: str) -> str:
    """「ｷﾀﾑﾗ ｲﾁﾛｳ」「キタムラ　イチロウ」「きたむらいちろう」→ 'きたむらいちろう'."""
    text = unicodedata.normalize("NFKC", text or "")
    return _SPACES.sub("", text).translate(_KATAKANA_TO_HIRAGANA)


def normalize_name(text: str) -> str:
    """Width and spaces folded; kana folded to hiragana so a name typed in kana finds its kana reading too."""
    return normalize_kana(text)


def normalize_address(text: str) -> str:
    """「大阪市北区梅田１丁目２番３号」「大阪市北区梅田1-2-3」→ '大阪市北区梅田1-2-3'."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _SPACES.sub("", text)
    text = _CHOME.sub(r"\1-", text)
    # Only hyphens between digits are address separators; a long-vowel mark in a name stays.
    text = re.sub(r"(?<=\d)[‐‑‒–—―−ー－ｰ-](?=\d)", "-", text)
    return text.rstrip("-")


def digits_only(text: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text or ""))


def join_list(items: Iterable) -> str:
    """「北区社協、北区包括」 in Japanese, "A, B" in English: the reader's list separator between the items."""
    return pgettext("list separator", "、").join(str(item) for item in items)
