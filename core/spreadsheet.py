"""Cells the product writes to CSV and xlsx files, and reads back from them.

A value that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a formula by Excel
and LibreOffice when the file is opened (CSV/formula injection, OWASP). Every CSV and xlsx the product writes
passes its text cells through :func:`neutralise`, which puts a single quote in front of such a value; the
ledger importer passes what it reads through :func:`restore`, so a file exported and imported again gives back
exactly the values that went out.

A value that already began with a quote followed by one of those characters is quoted once more, so that
:func:`restore` can never take away a quote the user typed.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def needs_quote(value: str) -> bool:
    body = value.lstrip(QUOTE)
    return value.startswith(FORMULA_STARTS) or (value != body and body.startswith(FORMULA_STARTS))


def neutralise(value):
    """The value as it may be written to a cell: text that a spreadsheet would run gets a leading quote.

    Anything that is not a string (numbers, dates, None) is returned as it is: a negative number is a number,
    not a formula.
    """
    if isinstance(value, str) and needs_quote(value):
        return QUOTE + value
    return value


def restore(value):
    """Undo :func:`neutralise` on a value read back from a file the product wrote."""
    if isinstance(value, str) and value.startswith(QUOTE) and needs_quote(value[1:]):
        return value[1:]
    return value
