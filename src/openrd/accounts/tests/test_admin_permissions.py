"""Permissions are named in the page's language in the admin's group and user
forms, third-party models (allauth's second factors and sessions) included."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation

from openrd.accounts.admin_permissions import permission_label

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("app_label", "codename", "ja", "en"),
    [
        ("mfa", "add_authenticator", "多要素認証 ｜ 第二要素（認証器）：追加",
         "| second factor: add"),
        ("usersessions", "view_usersession", "ユーザーセッション ｜ ユーザーセッション：表示",
         "User Sessions | user session: view"),
        ("proposals", "change_proposal", "提案 ｜ 提案：変更", "| proposal: change"),
    ],
)  # fmt: skip
def test_a_permission_reads_as_its_app_model_and_action(app_label, codename, ja, en):
    permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
    with translation.override("ja"):
        assert permission_label(permission).endswith(ja)
    with translation.override("en"):
        assert permission_label(permission).endswith(en)
