"""Every write operation of the OpenAPI document answers a read-only token with the
403 it documents, and an anonymous caller with the 401 it documents."""

import re

import pytest

from openrd.api import api

WRITES = {"post", "put", "patch", "delete"}


def write_operations():
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in WRITES:
                yield method, re.sub(r"\{[^}]+\}", "1", path), operation


OPERATIONS = list(write_operations())


def test_the_document_lists_the_write_operations():
    assert len(OPERATIONS) >= 15


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=lambda v: str(v)[:40])
def test_a_read_only_token_is_refused_with_the_documented_403(client, method, path, operation):
    from openrd.accounts.models import Role
    from openrd.accounts.services import issue_api_token
    from openrd.accounts.tests.factories import UserFactory

    user = UserFactory(roles=[Role.RESEARCHER, Role.COMMAND_TOWER_ADMIN])
    _token, secret = issue_api_token(user, name="read", scope="read")
    response = getattr(client, method)(
        path, "{}", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code == 403, response.content
    assert "403" in {str(code) for code in operation["responses"]}
    assert response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=lambda v: str(v)[:40])
def test_an_anonymous_write_is_the_documented_401(method, path, operation):
    from django.test import Client

    response = getattr(Client(enforce_csrf_checks=True), method)(
        path, "{}", content_type="application/json"
    )
    assert response.status_code == 401, response.content
    assert "401" in {str(code) for code in operation["responses"]}
