"""The repository's API: public records with funding and identity metadata,
never a non-public file; compliance for its audiences only."""

from __future__ import annotations

from datetime import date

import pytest

from openrd.accounts.tests.factories import UserFactory
from openrd.repository import services
from openrd.repository.tests.conftest import PDF

pytestmark = pytest.mark.django_db


def test_a_published_record_carries_funding_and_identity(repo, client):
    output = repo.deposit()
    body = client.get(f"/api/v1/outputs/{output.pk}").json()
    assert body["funding"][0]["award_number"] == "JPMJMS2561"
    assert body["funding"][0]["award_number_type"] == "JGN"
    assert body["funding"][0]["crossref_funder_id"] == "501100002241"
    creator = body["creators"][0]
    assert creator["orcid"] == "0000-0002-1825-0097"
    assert creator["erad_researcher_number"] == "12345678"
    assert creator["affiliation_ror"] == "https://ror.org/02956yf07"
    assert body["files"][0]["sha256"]
    assert body["files"][0]["md5"]


def test_the_list_never_shows_a_draft_or_a_restricted_file(repo, client):
    repo.deposit(title_en="draft", publish=False)
    shown = repo.deposit(
        title_en="mixed",
        files=[("open.pdf", PDF, "open"), ("canary-restricted.pdf", PDF + b"\n", "restricted")],
    )
    rows = client.get("/api/v1/outputs").json()
    assert [r["id"] for r in rows] == [shown.pk]
    assert "canary-restricted" not in client.get("/api/v1/outputs").content.decode()
    assert [f["name"] for f in rows[0]["files"]] == ["open.pdf"]


def test_an_embargoed_record_shows_its_date_and_no_file(repo, client):
    output = repo.deposit(access_rights="embargoed", embargo_until=date(2099, 1, 1),
                          files=[("aam.pdf", PDF, "embargoed")])  # fmt: skip
    body = client.get(f"/api/v1/outputs/{output.pk}").json()
    assert body["embargo_until"] == "2099-01-01"
    assert body["files"] == []


def test_a_withdrawn_record_is_a_tombstone_and_a_draft_404(repo, client):
    gone = services.withdraw(repo.deposit(), actor=repo.curator, reason="撤回")
    assert client.get(f"/api/v1/outputs/{gone.pk}").json()["deleted"] is True
    draft = repo.deposit(publish=False)
    assert client.get(f"/api/v1/outputs/{draft.pk}").status_code == 404


def test_compliance_for_its_audiences_only(repo, client):
    repo.deposit()
    client.force_login(repo.staff)
    body = client.get("/api/v1/repository/compliance?by=agency").json()
    assert body["total"]["mandated"] == 1
    assert body["total"]["compliant_share"] == 1.0
    assert client.get("/api/v1/repository/compliance?by=nonsense").status_code == 422
    client.force_login(UserFactory(username="nobody"))
    assert client.get("/api/v1/repository/compliance").status_code == 404


def test_the_counter_report_and_the_landing_page_show_the_counts(repo, client):
    from openrd.repository import usage

    output = repo.deposit()
    browser = {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"}
    client.get(f"/ja/outputs/{output.pk}/", **browser)
    client.get(f"/ja/outputs/{output.pk}/", HTTP_USER_AGENT="Googlebot/2.1")  # a robot
    month = usage.month_start(output.published_at.date())
    usage.aggregate_month(month)
    page = f"{month:%Y-%m}"
    rows = client.get(f"/api/v1/repository/usage?begin={page}&end={page}").json()
    views = next(r for r in rows if r["metric"] == "Total_Item_Investigations")
    assert views["item_id"] == output.pk
    assert views["months"] == {page: 1}
    landing = client.get(f"/en/outputs/{output.pk}/", **browser).content.decode()
    assert "1 unique" in landing
    too_long = client.get("/api/v1/repository/usage?begin=2024-01&end=2026-01")
    assert too_long.status_code == 422
    assert client.get("/api/v1/repository/usage?begin=2024-13&end=2024-01").status_code == 422
