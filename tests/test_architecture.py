"""The one-way house (docs/architecture.md) beyond imports: model relations and migrations point down too.

import-linter (`make lint`) checks every import, function-local ones included. What it cannot see are the
"app.Model" strings of relation fields and the dependencies of migrations; these tests read the same layer
order from pyproject.toml and check both against Django's own registries.
"""

import tomllib
from pathlib import Path

import pytest
from django.apps import apps
from django.db.migrations.loader import MigrationLoader

ROOT = Path(__file__).resolve().parent.parent


def _ranks() -> dict[str, int]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "layers")
    ranks = {}
    for rank, line in enumerate(reversed(contract["layers"])):  # the ground (core) is 0
        for name in line.replace(":", "|").split("|"):
            ranks[name.strip()] = rank
    return ranks


RANKS = _ranks()


def test_the_layer_order_names_every_app_of_the_project():
    ours = {config.name for config in apps.get_app_configs() if (ROOT / config.name).is_dir()}
    assert ours <= set(RANKS), ours - set(RANKS)
    assert RANKS["core"] == 0 and RANKS["api"] == max(RANKS.values())


def _relations():
    for model in apps.get_models(include_auto_created=True):
        source = model._meta.app_label
        if source not in RANKS:
            continue
        for field in model._meta.get_fields(include_hidden=True):
            # Forward relations only: a reverse accessor is the other model's field seen from here.
            if field.is_relation and field.concrete or getattr(field, "many_to_many", False) and not field.auto_created:
                target = field.related_model._meta.app_label
                yield f"{model._meta.label}.{field.name}", source, target


def test_no_model_relation_points_up_a_layer():
    upward = [f"{where} → {target}" for where, source, target in _relations()
              if target in RANKS and RANKS[target] > RANKS[source]]
    assert upward == []


def test_the_check_sees_relations_at_all():
    # A check that finds nothing because it looks at nothing would pass for ever.
    pairs = {(source, target) for _where, source, target in _relations()}
    assert ("meetings", "cases") in pairs and ("ledger", "meetings") in pairs and ("cases", "agencies") in pairs


@pytest.mark.parametrize("app", sorted(name for name in RANKS if (ROOT / name / "migrations").is_dir()))
def test_migrations_depend_only_on_their_own_layer_or_below(app):
    loader = MigrationLoader(None, ignore_no_migrations=True)
    upward = [f"{key[1]} → {parent[0]}.{parent[1]}"
              for key, migration in loader.disk_migrations.items() if key[0] == app
              for parent in migration.dependencies
              if parent[0] in RANKS and RANKS[parent[0]] > RANKS[app]]
    assert upward == []
