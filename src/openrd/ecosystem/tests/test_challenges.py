"""Procurement challenges: a ministry posts one for itself (the command tower for
anyone), every field checked, audited; drafts stay private, open challenges are
public on the pages and in GET /api/v1/challenges."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role, upsert_organisation
from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry
from openrd.ecosystem.challenges import post_challenge
from openrd.ecosystem.models import Challenge

pytestmark = pytest.mark.django_db


def fields(owner, **changes):
    return {"code": "mlit-bridge-2026", "owner": owner, "kind": "trial_procurement",
            "title_ja": "橋梁点検の省人化",
            "need_ja": "道路橋の点検を省人化する技術を求める。",
            "opens_on": date(2026, 4, 1), "closes_on": date(2026, 6, 30),
            "keywords": ["橋梁", "点検"],
            "contract_basis": "SBIR特例による随意契約"} | changes  # fmt: skip


@pytest.fixture
def mlit_official(loaded_programs):
    user = UserFactory(username="mlit-official")
    assign_role(user, Role.MINISTRY, organisation=Organisation.objects.get(code="mlit"))
    return user


def test_a_ministry_posts_its_own_challenge_and_the_public_sees_it_once_open(client, mlit_official):
    mlit = Organisation.objects.get(code="mlit")
    draft = post_challenge(actor=mlit_official, **fields(mlit))
    assert draft.status == "draft"
    assert client.get("/api/v1/challenges").json() == []
    assert client.get("/ja/ecosystem/challenges/mlit-bridge-2026/").status_code == 404
    post_challenge(actor=mlit_official, publish=True, **fields(mlit))
    (item,) = client.get("/api/v1/challenges?status=open").json()
    assert (item["code"], item["owner"], item["kind"]) == ("mlit-bridge-2026", "mlit",
                                                           "trial_procurement")  # fmt: skip
    assert item["contract_basis"] == "SBIR特例による随意契約"
    assert client.get("/api/v1/challenges?kind=open_innovation").json() == []
    page = client.get("/ja/ecosystem/challenges/mlit-bridge-2026/").content.decode()
    assert "橋梁点検の省人化" in page
    assert "国土交通省" in page
    assert "橋梁点検の省人化" in client.get("/ja/ecosystem/challenges/").content.decode()
    assert AuditEntry.objects.filter(action="ecosystem.challenge.published").count() == 1
    with pytest.raises(ValidationError) as error:
        post_challenge(actor=mlit_official, **fields(mlit, title_ja="書き換え"))
    assert "code" in error.value.message_dict  # a published challenge is not rewritten


def test_a_ministry_cannot_post_for_another_but_the_command_tower_can(mlit_official):
    meti = Organisation.objects.get(code="meti")
    with pytest.raises(PermissionDenied):
        post_challenge(actor=mlit_official, **fields(meti))
    tower = UserFactory(username="tower", roles=[Role.COMMAND_TOWER_ADMIN])
    city = upsert_organisation(code="fukuoka-city", kind="municipality", name_ja="福岡市")
    assert post_challenge(actor=tower, **fields(city, code="fukuoka-1")).owner == city


@pytest.mark.parametrize(
    ("field", "changes"),
    [("owner", {"owner": None}), ("kind", {"kind": "contest"}), ("title_ja", {"title_ja": " "}),
     ("need_ja", {"need_ja": ""}), ("closes_on", {"closes_on": date(2026, 3, 1)}),
     ("opens_on", {"opens_on": None}), ("keywords", {"keywords": ["x" * 41]})],
)  # fmt: skip
def test_a_bad_challenge_names_its_field_and_saves_nothing(mlit_official, field, changes):
    mlit = Organisation.objects.get(code="mlit")
    with pytest.raises(ValidationError) as error:
        post_challenge(actor=mlit_official, **(fields(mlit) | changes))
    assert field in error.value.message_dict
    assert not Challenge.objects.exists()
