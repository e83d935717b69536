"""The yearly follow-up: a ministry named on the measure writes and submits it,
the command tower approves or returns it (with a reason), and the approved
report is frozen: when the data changes afterwards, the report still reads as
it did, byte for byte, and a tampered report is never served."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openrd.accounts.models import Role
from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry
from openrd.strategy.follow_up import approve_report, review_follow_up, save_follow_up
from openrd.strategy.models import FollowUpReport, FollowUpState, FrozenReport, Indicator, Measure
from openrd.strategy.services import record_observation

pytestmark = pytest.mark.django_db


@pytest.fixture
def tower():
    return UserFactory(username="tower", roles=[Role.COMMAND_TOWER_ADMIN])


@pytest.fixture
def measure(mini):
    return Measure.objects.get(strategy=mini, code="quantum-users")


def _approved(measure, official, tower, comment="計画どおり進捗。"):
    f = save_follow_up(measure, actor=official, fiscal_year=2024, progress="on_schedule",
                       comment_ja=comment, submit=True)  # fmt: skip
    return review_follow_up(f, actor=tower, approve=True)


def test_a_named_ministry_writes_and_submits_and_the_command_tower_approves(
    measure, meti_official, tower
):
    draft = save_follow_up(measure, actor=meti_official, fiscal_year=2024,
                           progress="partly_delayed", comment_ja="一部遅れ。")  # fmt: skip
    assert (draft.state, draft.ministry.code) == (FollowUpState.DRAFT, "meti")
    submitted = save_follow_up(
        measure, actor=meti_official, fiscal_year=2024, progress="on_schedule",
        comment_ja="回復した。", submit=True,
    )  # fmt: skip
    assert submitted.pk == draft.pk
    assert submitted.state == FollowUpState.SUBMITTED
    with pytest.raises(ValidationError) as locked:
        save_follow_up(measure, actor=meti_official, fiscal_year=2024, progress="delayed",
                       comment_ja="書き換え")  # fmt: skip
    assert "progress" in locked.value.message_dict
    approved = review_follow_up(submitted, actor=tower, approve=True)
    assert approved.state == FollowUpState.APPROVED
    actions = list(AuditEntry.objects.filter(action__startswith="strategy.follow_up")
                   .order_by("id").values_list("action", flat=True))  # fmt: skip
    assert actions == ["strategy.follow_up.saved", "strategy.follow_up.submitted",
                       "strategy.follow_up.approved"]  # fmt: skip


def test_a_ministry_not_named_on_the_measure_and_the_command_tower_cannot_write(
    measure, mhlw_official, tower
):
    for actor in (mhlw_official, tower):
        with pytest.raises(PermissionDenied):
            save_follow_up(measure, actor=actor, fiscal_year=2024, progress="on_schedule",
                           comment_ja="x")  # fmt: skip


def test_returning_needs_a_reason_and_opens_the_follow_up_again(measure, meti_official, tower):
    f = save_follow_up(measure, actor=meti_official, fiscal_year=2024, progress="delayed",
                       comment_ja="遅れ。", submit=True)  # fmt: skip
    with pytest.raises(ValidationError) as error:
        review_follow_up(f, actor=tower, approve=False, comment="  ")
    assert "review_comment" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        review_follow_up(f, actor=meti_official, approve=True)
    returned = review_follow_up(
        f, actor=tower, approve=False, comment="遅れの理由を書いてください。"
    )
    assert returned.state == FollowUpState.RETURNED
    again = save_follow_up(measure, actor=meti_official, fiscal_year=2024, progress="delayed",
                           comment_ja="部品調達の遅れによる。", submit=True)  # fmt: skip
    assert again.state == FollowUpState.SUBMITTED


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("progress", {"progress": "great"}),
        ("comment_ja", {"comment_ja": "   "}),
        ("comment_en", {"comment_en": "x" * 4001}),
        ("fiscal_year", {"fiscal_year": 3000}),
    ],
)
def test_a_bad_follow_up_names_its_field_and_saves_nothing(measure, meti_official, field,
                                                           changes):  # fmt: skip
    fields = {"fiscal_year": 2024, "progress": "on_schedule", "comment_ja": "順調"} | changes
    with pytest.raises(ValidationError) as error:
        save_follow_up(measure, actor=meti_official, **fields)
    assert field in error.value.message_dict
    assert not measure.follow_ups.exists()


def test_a_frozen_report_does_not_change_when_the_data_changes(measure, meti_official, tower):
    indicator = Indicator.objects.get(code="mini-quantum-users")
    record_observation(indicator, actor=meti_official, fiscal_year=2024, value=1_200_000,
                       confirmed=True)  # fmt: skip
    _approved(measure, meti_official, tower)
    with pytest.raises(ValidationError):
        approve_report(measure.strategy, 2023, actor=tower)  # nothing approved for FY2023
    report = approve_report(measure.strategy, 2024, actor=tower)
    assert report.version == 1
    assert (report.measures_reported, report.measures_total) == (1, 2)
    assert "計画どおり進捗。" in report.html_ja
    assert "1,200,000人" in report.html_ja
    assert "Progressing as planned".lower() in report.html_en.lower()
    frozen = (report.html_ja, report.html_en, bytes(report.xlsx), report.digest)
    # The data moves on: a corrected value, the follow-up returned and rewritten.
    record_observation(indicator, actor=meti_official, fiscal_year=2024, value=9_999_999,
                       confirmed=True)  # fmt: skip
    f = measure.follow_ups.get()
    f.state = FollowUpState.SUBMITTED
    f.save()
    review_follow_up(f, actor=tower, approve=False, comment="再提出を")
    stored = FollowUpReport.objects.get(pk=report.pk)
    assert (stored.html_ja, stored.html_en, bytes(stored.xlsx), stored.digest) == frozen
    assert stored.intact
    assert "9,999,999" not in stored.html_ja
    # Approving the year again is a new version; the first stays as it was.
    rewritten = save_follow_up(
        measure, actor=meti_official, fiscal_year=2024, progress="delayed",
        comment_ja="再評価。", submit=True,
    )  # fmt: skip
    review_follow_up(rewritten, actor=tower, approve=True)
    second = approve_report(measure.strategy, 2024, actor=tower)
    assert second.version == 2
    assert "9,999,999人" in second.html_ja
    assert FollowUpReport.objects.get(pk=report.pk).html_ja == frozen[0]
    with pytest.raises(FrozenReport):
        stored.save()


def test_a_tampered_report_is_detected_and_not_served(client, measure, meti_official, tower):
    _approved(measure, meti_official, tower)
    report = approve_report(measure.strategy, 2024, actor=tower)
    page = client.get(f"/ja/strategy/reports/{report.pk}/")
    assert page.status_code == 200
    assert page.content.decode() == report.html_ja
    assert page["X-OpenRD-Report-Digest"] == f"sha-256={report.digest}"
    assert "default-src 'none'" in page["Content-Security-Policy"]
    assert client.get(f"/en/strategy/reports/{report.pk}/").content.decode() == report.html_en
    xlsx = client.get(f"/ja/strategy/reports/{report.pk}.xlsx")
    assert xlsx.content == bytes(report.xlsx)
    assert xlsx.content[:2] == b"PK"
    FollowUpReport.objects.filter(pk=report.pk).update(
        html_ja=report.html_ja.replace("進捗", "遅延")
    )
    assert not FollowUpReport.objects.get(pk=report.pk).intact
    assert client.get(f"/ja/strategy/reports/{report.pk}/").status_code == 404


def test_the_pages_show_drafts_to_insiders_only_and_keep_what_was_typed(
    client, measure, meti_official, mhlw_official, tower
):
    url = "/ja/strategy/2023/follow-up/quantum-users/2024/"
    save_follow_up(measure, actor=meti_official, fiscal_year=2024, progress="delayed",
                   comment_ja="内部の下書き")  # fmt: skip
    listing = client.get("/ja/strategy/2023/follow-up/?fy=2024").content.decode()
    assert "量子の利用者を増やす" in listing
    assert "内部の下書き" not in listing
    assert "遅れ" not in listing
    assert client.get(url).status_code == 404  # the public does not see drafts
    client.force_login(mhlw_official)
    assert client.get(url).status_code == 404
    client.force_login(meti_official)
    page = client.get(url).content.decode()
    assert "内部の下書き" in page
    bad = client.post(url, {"progress": "", "comment_ja": "理由を書いた", "comment_en": "typed",
                            "action": "submit"})  # fmt: skip
    assert bad.status_code == 422
    text = bad.content.decode()
    assert "理由を書いた" in text
    assert ">typed</textarea>" in text
    assert 'id="id_progress_error"' in text
    good = client.post(url, {"progress": "on_schedule", "comment_ja": "順調", "action": "submit"})
    assert good.status_code == 302
    client.force_login(tower)
    review_page = client.get(url).content.decode()
    assert "差し戻す" in review_page or "Return" in review_page
    pk = measure.follow_ups.get().pk
    refused = client.post(f"/ja/strategy/follow-up/{pk}/review/", {"action": "return"})
    assert refused.status_code == 422
    assert client.post(f"/ja/strategy/follow-up/{pk}/review/",
                       {"action": "approve"}).status_code == 302  # fmt: skip
    approved = client.post("/ja/strategy/2023/follow-up/approve/", {"fiscal_year": "2024"})
    assert approved.status_code == 302
    assert FollowUpReport.objects.count() == 1
    client.logout()
    public = client.get("/ja/strategy/2023/follow-up/?fy=2024").content.decode()
    assert "計画どおり" in public  # the approved follow-up's progress is public
    assert client.post("/ja/strategy/2023/follow-up/approve/",
                       {"fiscal_year": "2024"}).status_code == 404  # fmt: skip
