"""Managers for personal data that refuse to be queried without a user's scope.

`Household.objects.filter(...)` raises: code must say either `Household.objects.for_user(user)`
(what this user may see) or `Household.all_objects` (explicitly unscoped: services acting on rows
already authorised, management commands, aggregates). A forgotten scope fails loudly in tests
instead of leaking quietly in production.
"""

from django.db import models


class UnscopedQueryError(RuntimeError):
    pass


class ScopedManager(models.Manager):
    def get_queryset(self):
        raise UnscopedQueryError(
            f"{self.model.__name__}.objects must be scoped: use .for_user(user), "
            f"or {self.model.__name__}.all_objects where unscoped access is intended."
        )

    def for_user(self, user):
        return self.model.all_objects.for_user(user)
