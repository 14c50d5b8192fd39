"""For mypy's Django plugin only: the settings of the app, with nothing that starts a database."""

from .base import *  # noqa: F403

SECRET_KEY = "mypy-only"
