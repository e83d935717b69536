"""API authentication: a browser session (with CSRF) or a bearer token.

A request that carries a bearer token is judged by it alone, on every endpoint:
an unknown, expired or revoked token is 401 (never quietly anonymous, never
the session cookie beside it), and a read-scope token is 403 for anything but
reading. Public endpoints resolve the token too (``optional_auth``), so a token
and a session of the same person see the same objects.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from openrd.accounts.services import resolve_token

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def bearer_secret(request: HttpRequest) -> str | None:
    """The secret of an ``Authorization: Bearer …`` header, else None."""
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else None


class TokenAuth(HttpBearer):
    openapi_description = (
        "API token issued on the account page (/ja/accounts/me/) or with POST /api/v1/me/tokens: "
        "`Authorization: Bearer ord_…`. A read-scope token may only read."
    )

    def __call__(self, request: HttpRequest) -> Any:
        secret = bearer_secret(request)
        if secret is None:
            return None  # no token: the next method (the session) decides
        return self.authenticate(request, secret)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = resolve_token(token)
        if found is None:
            raise HttpError(401, _("The API token is unknown, expired or revoked."))
        if not found.is_write and request.method not in READ_METHODS:
            raise HttpError(
                403, _("This API token may only read; issue a write token to change data.")
            )
        request.user = found.user
        return found.user


class SignedInSession(SessionAuth):
    """The browser session of a signed-in user (with the CSRF check). A visitor
    with no session is simply not authenticated, so Ninja answers 401 as it does
    everywhere, not the CSRF check's 403: there is no session to forge."""

    def __call__(self, request: HttpRequest) -> Any:
        if not getattr(getattr(request, "user", None), "is_authenticated", False):
            return None
        return super().__call__(request)


_token_auth = TokenAuth()


def _token_if_sent(request: HttpRequest) -> Any:
    # A plain function, not the TokenAuth scheme itself: the OpenAPI document
    # then shows public endpoints as open to all, which they are.
    return _token_auth(request)


def _anyone(request: HttpRequest) -> Any:
    # Last in optional_auth: no token, so the visitor is whoever the session
    # middleware found, possibly anonymous (AnonymousUser is truthy for Ninja).
    return request.user


def _no_token(request: HttpRequest) -> None:
    if bearer_secret(request) is not None:
        raise HttpError(
            403,
            _("API tokens cannot manage API tokens: sign in and use the account page instead."),
        )


api_auth = [TokenAuth(), SignedInSession()]
# Public endpoints: open to all, but a bearer token, when sent, is honoured.
optional_auth = [_token_if_sent, _anyone]
# Managing tokens takes a signed-in session: a stolen token cannot mint more.
session_auth = [_no_token, SignedInSession()]
