"""django-simple-history, said once."""

from typing import Any


def attribute_to(obj: Any, user: Any) -> None:
    """The history row of `obj`'s next save names `user`, also outside a web request (simple-history's hook)."""
    obj._history_user = user
