"""The acceleration program from the seed with its budgets, each citing its line
(loaded twice, nothing doubled); cohorts and support organisations recorded by
the command tower or a ministry, every field checked, audited; the public pages
and their forms, a bad entry refused next to its field."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openrd.accounts.models import Role
from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry
from openrd.ecosystem import accelerators
from openrd.ecosystem.hubs import load_hubs
from openrd.ecosystem.models import AcceleratorBudget, Cohort, HubConsortium, SupportOrganisation
from openrd.ecosystem.services import upsert_company
from openrd.ecosystem.tests.test_companies import number

SEED = Path(__file__).resolve().parents[5] / "shared" / "seed"


def test_every_budget_and_the_platform_cite_a_line_of_the_seed_that_says_so():
    lines = next(SEED.glob("*.txt")).read_text(encoding="utf-8").splitlines()
    data = accelerators.read_accelerators()
    cited = [data["platform"]] + [b for p in data["programs"] for b in p["budgets"]]
    cited += data["programs"]
    for entry in cited:
        assert entry["seed_text"] in lines[entry["seed_line"] - 1].replace("**", "")
    (program,) = data["programs"]
    assert sum(b["amount_yen"] for b in program["budgets"]) == 4_150_000_000  # 1.5+10+15+15 億円


def test_a_malformed_file_fails_when_read():
    text = (accelerators.PATH.read_text(encoding="utf-8")).replace('kind = "initial"', 'kind = "x"')
    with pytest.raises(accelerators.AcceleratorFileError, match="initial or supplementary"):
        accelerators.read_accelerators(text)
    assert tomllib.loads(text)  # still TOML: the check is the reader's


@pytest.fixture
def tower(db):
    return UserFactory(username="tower", roles=[Role.COMMAND_TOWER_ADMIN])


@pytest.mark.django_db
def test_the_program_loads_twice_without_doubling_its_budgets(tower):
    accelerators.load_accelerators()
    (program,) = accelerators.load_accelerators()
    assert AcceleratorBudget.objects.count() == 4
    assert accelerators.total_budget(program) == 4_150_000_000


@pytest.mark.django_db
def test_a_cohort_is_recorded_with_its_startups_and_a_bad_one_saves_nothing(tower):
    (program,) = accelerators.load_accelerators()
    load_hubs()
    company = upsert_company(actor=tower, corporate_number=number("010005000001"),
                             name_ja="加速新興株式会社")  # fmt: skip
    fields = {"program": program, "code": "fukuoka-2025", "name_ja": "福岡 2025",
              "fiscal_year": 2025, "accelerator": "Accelerator X", "starts_on": date(2025, 7, 1),
              "ends_on": date(2025, 12, 1), "companies": [company],
              "hub": HubConsortium.objects.get(code="fukuoka")}  # fmt: skip
    cohort = accelerators.save_cohort(actor=tower, **fields)
    assert list(cohort.companies.all()) == [company]
    assert AuditEntry.objects.filter(action="ecosystem.cohort.saved").count() == 1
    with pytest.raises(ValidationError) as error:
        accelerators.save_cohort(
            actor=tower,
            **(fields | {"code": "x-2", "ends_on": date(2025, 6, 1), "accelerator": ""}),
        )
    assert {"ends_on", "accelerator"} <= set(error.value.message_dict)
    assert Cohort.objects.count() == 1
    researcher = UserFactory(username="r", roles=[Role.RESEARCHER])
    with pytest.raises(PermissionDenied):
        accelerators.save_cohort(actor=researcher, **fields)


@pytest.mark.django_db
def test_the_pages_show_budgets_cohorts_and_support_organisations_and_keep_bad_entries(
    client, tower
):
    accelerators.load_accelerators()
    load_hubs()
    accelerators.save_support_organisation(actor=tower, code="f-vc", name_ja="福岡VC",
                                           kind="venture_capital", in_plus=True)  # fmt: skip
    page = client.get("/ja/ecosystem/accelerators/").content.decode()
    assert "グローバル・スタートアップ・アクセラレーションプログラム" in page
    assert "41億5,000万円" in page or "41.5億円" in page
    support = client.get("/ja/ecosystem/support/").content.decode()
    assert "福岡VC" in support
    assert 'name="code"' not in support  # the form is the staff's
    client.force_login(tower)
    bad = client.post("/ja/ecosystem/support/save/", {"code": "Bad Code", "name_ja": "組織",
                                                      "kind": "venture_capital",
                                                      "website": "not a url"})  # fmt: skip
    assert bad.status_code == 422
    assert 'value="not a url"' in bad.content.decode()
    assert SupportOrganisation.objects.count() == 1
    cohort = client.post("/ja/ecosystem/accelerators/cohorts/", {
        "code": "c-1", "name_ja": "第1期", "fiscal_year": "2024", "accelerator": "X",
        "starts_on": "2024-07-01", "ends_on": "2024-12-01", "companies": "1234567890123",
    })  # fmt: skip
    assert cohort.status_code == 422
    assert "1234567890123" in cohort.content.decode()
    assert not Cohort.objects.exists()
    client.force_login(UserFactory(username="r", roles=[Role.RESEARCHER]))
    assert client.post("/ja/ecosystem/support/save/", {"code": "x"}).status_code == 404
