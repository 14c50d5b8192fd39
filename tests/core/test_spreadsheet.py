"""Cells written to CSV and xlsx: a value a spreadsheet would run as a formula gets a leading quote, and the
importer's restore() gives back exactly what went out."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from core.spreadsheet import FORMULA_STARTS, neutralise, restore


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_quoted(start):
    value = f'{start}HYPERLINK("http://evil.example","見る")'
    assert neutralise(value) == "'" + value
    assert restore(neutralise(value)) == value


def test_the_starts_are_the_six_that_spreadsheets_run():
    assert set(FORMULA_STARTS) == {"=", "+", "-", "@", "\t", "\r"}


@pytest.mark.parametrize("value", ["山田 太郎", "", " =SUM(A1)", "a=b", "1-2", "'", "''", "'山田", "※その他には",
                                   "\n=1", '"=1"'])
def test_ordinary_text_is_left_as_it_is(value):
    # A formula start anywhere but first (after a space, a newline or a double quote) is not run.
    assert neutralise(value) == value
    assert restore(value) == value


def test_a_double_quote_inside_a_formula_is_kept():
    value = '=HYPERLINK("http://evil.example?x=""1""","a")'
    assert neutralise(value) == "'" + value
    assert restore(neutralise(value)) == value


def test_a_quote_the_user_typed_before_a_formula_start_is_kept():
    # "'=1" typed by the user: quoted once more, so restore() takes away only the quote neutralise() added.
    assert neutralise("'=1") == "''=1"
    assert restore(neutralise("'=1")) == "'=1"
    assert neutralise("''-5") == "'''-5" and restore("'''-5") == "''-5"


@pytest.mark.parametrize("value", [-5, 0, 3.5, -0.25, Decimal("-1.5"), None, True, dt.date(2020, 4, 1),
                                   dt.datetime(2020, 4, 1, 10, 0)])
def test_values_that_are_not_text_are_untouched(value):
    assert neutralise(value) is value
    assert restore(value) is value


@given(st.text())
@example("=1+1")
@example("'=1")
@example("''@SUM(A1)")
@example("\t")
@example("'\r")
@example("-")
def test_the_round_trip_is_exact(value):
    assert restore(neutralise(value)) == value


@given(st.text(alphabet=st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'", '"', "a", "山", " ", "\n"])))
def test_the_round_trip_is_exact_for_quote_and_formula_heavy_text(value):
    written = neutralise(value)
    assert restore(written) == value
    # What is written never starts a formula: either it begins with something harmless or with a quote.
    assert not written.startswith(FORMULA_STARTS)
