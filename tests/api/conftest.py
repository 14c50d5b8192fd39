"""The API is called as a client program would: with a token in the Authorization header."""

import datetime as dt
import secrets

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiToken, token_hash
from api.tokens import API_ROLES


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """The request counts of the rate limit live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


def api_key(user) -> str:
    """A valid token's key for `user`, made directly as a factory would (api.tokens.token_issue would also write an
    audit event, which the tests that count a request's events do not expect)."""
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, key_hash=token_hash(key), prefix=key[:6],
                            expires_at=timezone.now() + dt.timedelta(days=90))
    return key


@pytest.fixture
def api(db):
    """api(user) → a client sending that user's token; api(None) → an anonymous client. A role the API does not
    serve gets no token (api.tokens.API_ROLES) and comes with its login session instead."""

    def client_for(user):
        client = APIClient()
        if user is not None and user.role in API_ROLES:
            key = api_key(user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        elif user is not None:
            client.force_login(user)
        return client

    return client_for
