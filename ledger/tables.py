"""Rows written at the database's speed: PostgreSQL COPY from an in-memory buffer, without model instances.

The ledger import writes tens of thousands of cases and meetings; building a model object for each cost
ten times what the database did (docs/benchmarks/ledger.md). A `Table` takes one model's values that are
the same for every row (with its defaults, auto_now times and search keys, from one unsaved instance: the
model says what they are) and, per row, only the columns that vary. Ids, where the caller needs them
before writing, are taken from the table's sequence in one statement (`take_ids`).

Everything runs on the caller's connection, inside its transaction: a failure leaves nothing behind.
"""

import datetime as dt
import io
from collections.abc import Iterable, Sequence

from django.db import connection

# COPY's text format: a backslash, a tab, a line feed and a carriage return are escaped; \N is NULL.
ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def text(value) -> str:
    """One value as COPY's text format reads it back: exactly, whatever characters a string holds."""
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is str:
        return value.translate(ESCAPES)
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):  # a choice (TextChoices)
        return str.translate(value, ESCAPES)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


class Table:
    """One model's table, to COPY rows into: `varying` columns given per row, the others fixed for all rows."""

    def __init__(self, model, varying: Sequence[str], **fixed):
        self.model = model
        self.varying = list(varying)
        if {source for source, _normalise in getattr(model, "SEARCH_KEYS", {}).values()} & set(self.varying):
            raise ValueError("a column that search keys are derived from is the same for every row")
        template = model(**fixed)
        if hasattr(template, "fill_search_keys"):  # as the model's own bulk_create fills them
            template.fill_search_keys()
        self.fixed: list[tuple[str, object]] = []
        for field in model._meta.concrete_fields:
            if field.primary_key or field.column in self.varying:
                continue
            value = field.pre_save(template, add=True)  # auto_now(_add): the time of this import
            self.fixed.append((field.column, field.get_db_prep_save(value, connection)))
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in [*self.varying, *(c for c, _v in self.fixed)])
        self.sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
        self.suffix = "".join("\t" + text(v) for _c, v in self.fixed) + "\n"

    def write(self, rows: Iterable[Sequence]) -> int:
        """COPY the rows (tuples of the varying columns' values, in order); returns how many."""
        buffer = io.StringIO()
        suffix = self.suffix
        count = 0
        for row in rows:
            buffer.write("\t".join(map(text, row)) + suffix)
            count += 1
        if count:
            buffer.seek(0)
            with connection.cursor() as cursor:
                cursor.copy_expert(self.sql, buffer)
        return count


def take_ids(model, count: int) -> list[int]:
    """`count` new ids from the model's sequence, ascending, as its rows would get them one by one."""
    if not count:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT array_agg(id ORDER BY id) FROM (SELECT nextval(pg_get_serial_sequence(%s, %s)) AS id "
                       "FROM generate_series(1, %s)) AS taken", [table, model._meta.pk.column, count])
        return cursor.fetchone()[0]
