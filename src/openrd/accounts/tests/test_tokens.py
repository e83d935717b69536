"""API tokens people manage themselves: on the account page and over the API."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from openrd.accounts.models import ApiToken
from openrd.accounts.services import issue_api_token
from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post_token(client, body, lang="en", **headers):
    return client.post(
        "/api/v1/me/tokens", json.dumps(body), content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=lang, **headers,
    )  # fmt: skip


# ---------------------------------------------------------------- over the API


def test_a_signed_in_person_issues_a_token_whose_secret_is_shown_once(client):
    user = UserFactory()
    client.force_login(user)
    expires = (timezone.now() + timedelta(days=30)).isoformat()
    response = _post_token(client, {"name": "nightly export", "scope": "read",
                                    "expires_at": expires})  # fmt: skip
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    secret = body["secret"]
    assert secret.startswith("ord_")
    assert body["token"]["name"] == "nightly export"
    assert body["token"]["scope"] == "read"
    assert body["token"]["prefix"] == secret[:8]
    stored = ApiToken.objects.get(pk=body["token"]["id"])
    assert stored.digest == hashlib.sha256(secret.encode()).hexdigest()
    # The list never shows the secret again.
    listed = client.get("/api/v1/me/tokens")
    assert listed.status_code == 200
    assert [t["name"] for t in listed.json()] == ["nightly export"]
    assert secret not in listed.content.decode()
    entry = AuditEntry.objects.get(action="accounts.token.issued")
    assert (entry.actor, entry.after["scope"]) == (user, "read")


def test_the_default_scope_over_the_api_is_read(client):
    client.force_login(UserFactory())
    assert _post_token(client, {"name": "x"}).json()["token"]["scope"] == "read"


def test_an_expiry_in_the_past_and_an_unknown_scope_are_field_errors_in_japanese(client):
    client.force_login(UserFactory())
    past = (timezone.now() - timedelta(days=1)).isoformat()
    response = _post_token(client, {"name": "x", "expires_at": past}, lang="ja")
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["field"], error["msg"]) == (
        "expires_at",
        "有効期限には未来の日時を指定してください。",
    )
    response = _post_token(client, {"name": "x", "scope": "admin"}, lang="ja")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "scope"
    assert not ApiToken.objects.exists()


def test_a_token_name_with_a_bidi_override_is_a_field_error(client):
    client.force_login(UserFactory())
    response = _post_token(client, {"name": "backup\u202etxt.exe"})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "name"
    assert "U+202E" in error["msg"]
    assert not ApiToken.objects.exists()


def test_revoking_over_the_api_is_audited_and_the_token_stops_working(client):
    user = UserFactory()
    token, raw = issue_api_token(user, name="ci")
    client.force_login(user)
    response = client.delete(f"/api/v1/me/tokens/{token.pk}")
    assert response.status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.get(action="accounts.token.revoked").actor == user
    assert client.get("/api/v1/me/tokens").json() == []
    client.logout()
    refused = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en", **_bearer(raw))
    assert refused.status_code == 401
    assert refused.json() == {"detail": "The API token is unknown, expired or revoked."}


def test_someone_elses_token_is_404_and_stays_valid(client):
    owner = UserFactory()
    token, _raw = issue_api_token(owner, name="theirs")
    client.force_login(UserFactory())
    assert client.delete(f"/api/v1/me/tokens/{token.pk}").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert not AuditEntry.objects.filter(action="accounts.token.revoked").exists()


@pytest.mark.parametrize("scope", ["read", "write"])
def test_no_token_can_manage_tokens(client, scope):
    user = UserFactory()
    token, raw = issue_api_token(user, name="script", scope=scope)
    listed = client.get("/api/v1/me/tokens", HTTP_ACCEPT_LANGUAGE="en", **_bearer(raw))
    assert listed.status_code == 403
    assert "cannot manage API tokens" in listed.json()["detail"]
    issued = _post_token(client, {"name": "more", "scope": "write"}, **_bearer(raw))
    assert issued.status_code == 403
    revoked = client.delete(f"/api/v1/me/tokens/{token.pk}", **_bearer(raw))
    assert revoked.status_code == 403
    assert ApiToken.objects.filter(user=user).count() == 1
    assert ApiToken.objects.get().revoked_at is None


def test_managing_tokens_needs_a_session(client):
    response = client.get("/api/v1/me/tokens", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication required."}


# ---------------------------------------------------------------- scopes


def test_a_read_token_reads_but_is_refused_for_every_write_with_403(client):
    user = UserFactory(name_en="Before")
    _, raw = issue_api_token(user, name="reader", scope="read")
    assert client.get("/api/v1/me", **_bearer(raw)).json()["username"] == user.username
    writes = [
        ("patch", "/api/v1/me", {"name_en": "After"}),
        ("put", "/api/v1/me/disclosures", {"fundings": [], "positions": []}),
        ("post", "/api/v1/organisations", {"code": "x-lab", "kind": "other", "name_ja": "X"}),
        ("post", "/api/v1/calls", {}),
    ]
    for method, url, body in writes:
        response = getattr(client, method)(
            url, json.dumps(body), content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="en", **_bearer(raw),
        )  # fmt: skip
        assert response.status_code == 403, (method, url)
        assert response.json() == {
            "detail": "This API token may only read; issue a write token to change data."
        }
    user.refresh_from_db()
    assert user.name_en == "Before"
    assert not AuditEntry.objects.exclude(action="accounts.token.issued").exists()


def test_a_write_token_may_write(client):
    user = UserFactory(name_en="Before")
    _, raw = issue_api_token(user, name="writer", scope="write")
    response = client.patch(
        "/api/v1/me", json.dumps({"name_en": "After"}), content_type="application/json",
        **_bearer(raw),
    )  # fmt: skip
    assert response.status_code == 200
    assert response.json()["name_en"] == "After"


def test_an_expired_token_is_401_even_on_public_endpoints(client):
    token, raw = issue_api_token(UserFactory(), name="old")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    for url in ("/api/v1/me", "/api/v1/programs", "/api/v1/calls"):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="ja", **_bearer(raw))
        assert response.status_code == 401, url
        assert response.json() == {
            "detail": "APIトークンが無効です（存在しない、期限切れ、または失効済み）。"
        }


def test_an_unknown_token_does_not_fall_back_to_the_session_cookie(client):
    client.force_login(UserFactory())
    response = client.get("/api/v1/me", **_bearer("ord_not-a-real-token"))
    assert response.status_code == 401


# ---------------------------------------------------------------- the account page


def test_the_account_page_lists_tokens_with_their_scope_and_dates(client):
    user = UserFactory()
    token, _ = issue_api_token(user, name="nightly export", scope="read")
    revoked, _ = issue_api_token(user, name="old laptop")
    revoked.revoked_at = timezone.now()
    revoked.save()
    issue_api_token(UserFactory(), name="someone else's")
    client.force_login(user)
    page = client.get("/ja/accounts/me/").content.decode()
    assert "nightly export" in page
    assert f"{token.prefix}…" in page
    assert "読み取りのみ" in page
    assert "old laptop" not in page
    assert "someone else" not in page
    assert f'href="/ja/accounts/me/tokens/{token.pk}/revoke/"' in page


def test_issuing_on_the_account_page_shows_the_secret_once(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/ja/accounts/me/tokens/", {"name": "分析用", "scope": "write", "expires_in_days": "30"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=user)
    page = response.content.decode()
    secret = page.split('<code id="token-secret">')[1].split("</code>")[0]
    assert secret.startswith(token.prefix)
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.scope == "write"
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert secret not in client.get("/ja/accounts/me/").content.decode()


def test_a_blank_token_name_on_the_account_page_is_a_field_error(client):
    client.force_login(UserFactory())
    response = client.post("/ja/accounts/me/tokens/", {"name": "", "scope": "read"})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_on_the_account_page_asks_first(client):
    user = UserFactory()
    token, _ = issue_api_token(user, name="ci")
    client.force_login(user)
    url = f"/ja/accounts/me/tokens/{token.pk}/revoke/"
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "ci" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None  # asking changes nothing
    response = client.post(url)
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.get(action="accounts.token.revoked").actor == user
    assert client.get(url).status_code == 404  # gone from the page


def test_another_persons_token_cannot_be_revoked_on_the_account_page(client):
    token, _ = issue_api_token(UserFactory(), name="theirs")
    client.force_login(UserFactory())
    assert client.post(f"/ja/accounts/me/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
