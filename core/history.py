"""django-simple-history, said once: who a change is attributed to, and history rows for rows made in bulk."""

from typing import Any

from django.db import connection
from django.utils import timezone


def attribute_to(obj: Any, user: Any) -> None:
    """The history row of `obj`'s next save names `user`, also outside a web request (simple-history's hook)."""
    obj._history_user = user


def bulk_create_with_history_rows(objs: list, model: Any, *, user: Any = None, batch_size: int = 1000) -> list:
    """`model`'s rows created in bulk, each with its 「登録」 history row, as a single save would leave it.

    What simple-history's `bulk_create_with_history` writes, but the history rows are copied by the database
    (INSERT … SELECT over the new ids) instead of being built as Python objects one by one: the import of a
    large ledger spent most of its time there.
    """
    created = model._default_manager.bulk_create(objs, batch_size=batch_size)
    when = timezone.now()
    for start in range(0, len(created), batch_size):
        history_rows_for(model, [obj.pk for obj in created[start:start + batch_size]], user=user, when=when)
    return created


def history_rows_for(model: Any, ids: list[int], *, user: Any = None, when: Any = None) -> None:
    """The 「登録」 history rows of `model`'s rows `ids`, just written by other means (COPY), copied from them
    in one statement, in the order of their ids."""
    history = model.history.model
    columns = [field.column for field in history.tracked_fields]
    quote = connection.ops.quote_name
    listed = ", ".join(quote(column) for column in columns)
    sql = (f"INSERT INTO {quote(history._meta.db_table)} ({listed}, history_date, history_type, history_user_id, "
           f"history_change_reason) SELECT {listed}, %s, '+', %s, NULL FROM {quote(model._meta.db_table)} "
           f"WHERE {quote(model._meta.pk.column)} = ANY(%s) ORDER BY {quote(model._meta.pk.column)}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [when or timezone.now(), getattr(user, "pk", None), list(ids)])
