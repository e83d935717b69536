"""API authentication: a browser session (with CSRF) or a bearer token."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from openrd.accounts.services import authenticate_token


class TokenAuth(HttpBearer):
    openapi_description = "API token issued on the account page: `Authorization: Bearer ord_…`"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


# Token first: a request that carries a bearer token is judged by it alone, even if
# it also carries a (stale) session cookie; browsers fall through to the session.
api_auth = [TokenAuth(), SessionAuth()]
