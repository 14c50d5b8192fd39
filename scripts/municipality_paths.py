"""Which tables carry the municipality, directly or through a parent (docs/scaling.md: distribution by municipality).

    DJANGO_SETTINGS_MODULE=config.settings.test python scripts/municipality_paths.py

For every table Django knows (the product's, history tables and the libraries'), the shortest chain of foreign
keys to agencies.Municipality (one without nullable hops if there is one), marking a nullable hop with `?` (a row that may belong to no municipality). A
table with no chain cannot be placed by municipality as it is: it is a reference table, a global one, or needs
a column of its own.
"""

import os
import sys
from collections import deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.apps import apps  # noqa: E402


def chain(model, target, *, nullable: bool) -> list[str] | None:
    """The shortest list of foreign-key hops from model to target (through nullable ones only if asked), or None."""
    seen, queue = {model}, deque([(model, [])])
    while queue:
        current, path = queue.popleft()
        if current is target:
            return path
        for field in current._meta.concrete_fields:
            if field.is_relation and (field.many_to_one or field.one_to_one) and (nullable or not field.null):
                parent = field.related_model
                if parent not in seen:
                    seen.add(parent)
                    queue.append((parent, [*path, field.name + ("?" if field.null else "")]))
    return None


def main() -> None:
    municipality = apps.get_model("agencies", "Municipality")
    direct, through, without = [], [], []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        path = chain(model, municipality, nullable=False)
        if path is None:
            path = chain(model, municipality, nullable=True)
        row = (model._meta.db_table, ".".join(path) if path else "")
        (without if path is None else direct if len(path) <= 1 else through).append(row)
    for title, rows in (("direct", direct), ("through a parent", through), ("none", without)):
        sys.stdout.write(f"## {title}: {len(rows)}\n")
        for table, path in sorted(rows):
            sys.stdout.write(f"  {table:45} {path}\n")


if __name__ == "__main__":
    main()
