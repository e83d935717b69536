"""The hub cities from the briefing: four global and four promotion consortia
with the members and universities the slide names, each citing its line; a
company belongs to a consortium by its address; pages and GET /api/v1/hubs."""

from __future__ import annotations

import re
from datetime import date

import pytest

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role, upsert_organisation
from openrd.accounts.tests.factories import UserFactory
from openrd.awards.services import create_award
from openrd.ecosystem.hubs import HubFileError, companies_of, hubs_of, load_hubs, read_hubs
from openrd.ecosystem.models import HubConsortium
from openrd.ecosystem.services import upsert_company
from openrd.programs.models import Program

SEED = "../shared/seed/000_57911e9c0807c863.txt"


def test_the_file_names_four_global_and_four_promotion_hubs_each_citing_its_line():
    from pathlib import Path

    data = read_hubs()
    kinds = [h["kind"] for h in data["hubs"]]
    assert (kinds.count("global"), kinds.count("promotion")) == (4, 4)
    lines = Path(__file__).resolve().parents[5] / "shared/seed/000_57911e9c0807c863.txt"
    seed = lines.read_text(encoding="utf-8").splitlines()
    for h in data["hubs"]:
        for prefix in ("", "members_", "universities_"):
            if f"{prefix}seed_line" in h:
                assert h[f"{prefix}seed_text"] in seed[h[f"{prefix}seed_line"] - 1], h["code"]
    with pytest.raises(HubFileError):
        read_hubs('selected_on = 2020-07-01\n[[hubs]]\ncode = "x"\nkind = "local"\n')


@pytest.fixture
def hubs(db):
    return {h.code: h for h in load_hubs()}


@pytest.mark.django_db
def test_a_company_belongs_to_the_consortium_of_its_address(hubs, loaded_programs):
    tower = UserFactory(username="tower", roles=[Role.COMMAND_TOWER_ADMIN])
    in_tsukuba = upsert_company(actor=tower, name_ja="つくば量子株式会社", prefecture="茨城県",
                                city="つくば市", individual=True)  # fmt: skip
    in_shibuya = upsert_company(actor=tower, name_ja="渋谷AI株式会社", prefecture="東京都",
                                city="渋谷区", individual=True)  # fmt: skip
    in_hamamatsu = upsert_company(actor=tower, name_ja="浜松光株式会社", prefecture="静岡県",
                                  city="浜松市", individual=True)  # fmt: skip
    in_shizuoka = upsert_company(actor=tower, name_ja="静岡茶株式会社", prefecture="静岡県",
                                 city="静岡市", individual=True)  # fmt: skip
    assert [h.code for h in hubs_of(in_tsukuba)] == ["tokyo"]  # 茨城県 and つくば市 are members
    assert [h.code for h in hubs_of(in_hamamatsu)] == ["central-japan"]
    assert hubs_of(in_shizuoka) == []  # 静岡県 itself is no member
    assert set(companies_of(hubs["tokyo"])) == {in_tsukuba, in_shibuya}


@pytest.mark.django_db
def test_the_pages_and_the_api(client, hubs, loaded_programs):
    tower = UserFactory(username="tower", roles=[Role.COMMAND_TOWER_ADMIN])
    org = upsert_organisation(code="f-startup", kind="startup", name_ja="福岡新興株式会社")
    upsert_company(actor=tower, name_ja="福岡新興株式会社", prefecture="福岡県", city="福岡市",
                   individual=True, organisation=org)  # fmt: skip
    staff = UserFactory(username="nedo-staff")
    assign_role(staff, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="nedo"))
    create_award(
        actor=staff, program=Program.objects.get(code="sbir"), grant_number="F-1",
        title_ja="博多の実証", pi_name_ja="研究 一", institution=org, starts_on=date(2024, 4, 1),
        ends_on=date(2025, 3, 31), budget=[(2024, 1_000_000)],
    )  # fmt: skip
    listing = client.get("/ja/ecosystem/hubs/").content.decode()
    assert "グローバル拠点都市" in listing
    assert "推進拠点都市" in listing
    assert len(re.findall(r'href="/ja/ecosystem/hubs/[a-z-]+/"', listing)) == 8  # one per hub
    page = client.get("/ja/ecosystem/hubs/fukuoka/").content.decode()
    assert "九州大学" in page
    assert "福岡新興株式会社" in page
    assert "F-1" in page
    assert "1122" in page  # cites its line
    assert (
        "Fukuoka Startup Consortium" in client.get("/en/ecosystem/hubs/fukuoka/").content.decode()
    )
    body = client.get("/api/v1/hubs").json()
    assert [(h["code"], h["kind"]) for h in body][:2] == [("tokyo", "global"),
                                                          ("central-japan", "global")]  # fmt: skip
    assert {h["kind"] for h in body[4:]} == {"promotion"}
    assert len(body) == HubConsortium.objects.count() == 8
    assert client.get("/ja/ecosystem/hubs/nowhere/").status_code == 404
