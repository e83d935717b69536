"""The screening pages: the flag list and its filters, a flag's evidence and its review,
the agency's thresholds, whole-call runs, and the 404 everyone else gets."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from openrd.core.models import AuditEntry
from openrd.integrity.models import (
    FlagKind,
    FlagStatus,
    RunStatus,
    ScreeningFlag,
    ScreeningRun,
    ScreeningThreshold,
)
from openrd.integrity.screening import services
from openrd.integrity.tests import test_screening_service as screening_fixtures
from openrd.integrity.tests.test_screening_service import (
    AWARDED,
    CANARY,
    PLANTED,
    background,
    hand_down,
)
from openrd.jobs.testing import run_queued_tasks, using_backend

pytestmark = pytest.mark.django_db

# The screening service tests' people, offered here by name as a fixture.
people = screening_fixtures.people


def url(name: str, *args: object) -> str:
    with translation.override("ja"):
        return reverse(f"integrity-screening:{name}", args=args)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def flag(people) -> ScreeningFlag:
    """A real near-duplicate of a JST award, found by the screening itself."""
    background(people)
    hand_down("award:1", "award", people["pi"], people["jst"], AWARDED)
    hand_down("proposal:2", "proposal", people["applicant"], people["jst"], PLANTED)
    return next(
        f for f in services.screen_proposal("proposal:2") if f.kind == FlagKind.NEAR_DUPLICATE
    )


def test_the_urls_live_under_the_integrity_office():
    assert url("flags") == "/ja/integrity/screening/"
    assert url("flag", 7) == "/ja/integrity/screening/flags/7/"
    assert url("thresholds", 3) == "/ja/integrity/screening/thresholds/3/"


def test_the_flag_list_is_filtered_by_status_and_kind(people, flag):
    dismissed = ScreeningFlag.objects.create(
        proposal_key="proposal:9", person=people["third"], agency=people["jst"],
        call_code="call-2", kind=FlagKind.OVER_CONCENTRATION, status=FlagStatus.DISMISSED,
    )  # fmt: skip
    client = signed_in(people["staff"])

    def listed(query: str) -> list[int]:
        response = client.get(url("flags") + query)
        assert response.status_code == 200
        return [row["id"] for row in response.context["page"].items]

    assert sorted(listed("")) == sorted([flag.pk, dismissed.pk])
    assert listed("?status=open") == [flag.pk]
    assert listed("?status=dismissed") == [dismissed.pk]
    assert listed("?kind=near_duplicate") == [flag.pk]
    assert listed("?kind=over_concentration") == [dismissed.pk]
    assert listed("?status=open&kind=over_concentration") == []
    assert listed("?call=call-2") == [dismissed.pk]
    # An unknown value filters nothing rather than failing.
    assert sorted(listed("?status=bogus&kind=bogus")) == sorted([flag.pk, dismissed.pk])
    page = client.get(url("flags") + "?status=open").content.decode()
    assert f'href="{url("flag", flag.pk)}"' in page
    assert f'href="{url("flag", dismissed.pk)}"' not in page


def test_the_flag_shows_the_shared_passages_side_by_side(people, flag):
    passages = flag.evidence["passages"]
    assert passages
    response = signed_in(people["officer"]).get(url("flag", flag.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "一致した箇所" in html or "Matched passages" in html
    for passage in passages:
        row = f"<td>{passage['a_text']}</td>\n        <td>{passage['b_text']}</td>"
        assert row in html
    assert CANARY in html
    assert url("confirm", flag.pk) in html
    assert url("dismiss", flag.pk) in html


@pytest.mark.parametrize(
    ("action", "status"), [("confirm", FlagStatus.CONFIRMED), ("dismiss", FlagStatus.DISMISSED)]
)
def test_a_review_changes_the_flags_status_with_its_note_and_is_audited(
    people, flag, action, status
):
    client = signed_in(people["staff"])
    response = client.post(url(action, flag.pk), {"note": "申請者に確認済み"})
    assert response.status_code == 302
    assert response["Location"] == url("flag", flag.pk)
    flag.refresh_from_db()
    assert (flag.status, flag.note, flag.reviewed_by) == (
        status,
        "申請者に確認済み",
        people["staff"],
    )
    assert flag.reviewed_at is not None
    entry = AuditEntry.objects.get(action=f"integrity.screening.{status}", actor=people["staff"])
    assert entry.object_id == str(flag.pk)
    assert entry.before == {"status": "open", "note": ""}
    assert entry.after == {"status": status, "note": "申請者に確認済み"}


def test_a_second_review_is_a_field_error_and_keeps_the_first(people, flag):
    client = signed_in(people["staff"])
    assert client.post(url("confirm", flag.pk), {"note": "重複を確認"}).status_code == 302
    with translation.override("en"):
        second = signed_in(people["officer"]).post(
            reverse("integrity-screening:dismiss", args=[flag.pk]), {"note": "問題なし"}
        )
    assert second.status_code == 422
    assert second.context["form"].errors == {"note": ["This flag has already been reviewed."]}
    flag.refresh_from_db()
    assert (flag.status, flag.note, flag.reviewed_by) == (
        FlagStatus.CONFIRMED, "重複を確認", people["staff"],
    )  # fmt: skip
    assert not AuditEntry.objects.filter(action="integrity.screening.dismissed").exists()
    # The reviewed flag's page says so and offers no second review.
    with translation.override("en"):
        page = signed_in(people["officer"]).get(reverse("integrity-screening:flag", args=[flag.pk]))
    assert "a review is final" in page.content.decode()
    assert "Dismiss the flag" not in page.content.decode()


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("", "理由を簡潔に入力してください。"),
        ("   ", "理由を簡潔に入力してください。"),
        ("あ" * 4001, "4000"),
    ],
)
def test_a_missing_or_too_long_note_is_shown_on_the_field_and_nothing_changes(
    people, flag, note, message
):
    response = signed_in(people["staff"]).post(url("confirm", flag.pk), {"note": note})
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert list(errors) == ["note"]
    assert message in errors["note"][0]
    assert message in response.content.decode()
    flag.refresh_from_db()
    assert (flag.status, flag.note, flag.reviewed_at) == (FlagStatus.OPEN, "", None)
    assert not AuditEntry.objects.filter(action__startswith="integrity.screening.confirm").exists()


def test_the_thresholds_form_shows_the_current_values_and_saves_valid_ones(people):
    jst = people["jst"]
    services.save_thresholds(
        jst, people["staff"], max_yen_per_fiscal_year=12_345_678, max_effort_percent=80,
        duplicate_cosine=0.7,
    )  # fmt: skip
    client = signed_in(people["officer"])
    page = client.get(url("thresholds", jst.pk))
    assert page.status_code == 200
    html = page.content.decode()
    for value in ("12345678", "80", "0.7"):
        assert f'value="{value}"' in html
    saved = client.post(
        url("thresholds", jst.pk),
        {
            "max_yen_per_fiscal_year": "30000000",
            "max_effort_percent": "",
            "duplicate_cosine": "0.5",
        },
    )
    assert saved.status_code == 200
    assert saved.context["saved"] is True
    row = ScreeningThreshold.objects.get(agency=jst)
    assert (row.max_yen_per_fiscal_year, row.max_effort_percent, row.duplicate_cosine) == (
        30_000_000, None, 0.5,
    )  # fmt: skip
    assert row.updated_by == people["officer"]
    entry = AuditEntry.objects.filter(action="integrity.screening.thresholds_saved").latest("id")
    assert entry.actor == people["officer"]
    assert entry.before["max_yen_per_fiscal_year"] == 12_345_678


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("max_yen_per_fiscal_year", "-5", "0より大きい金額を入力するか、空欄にしてください。"),
        ("max_yen_per_fiscal_year", "たくさん", "整数を入力してください。"),
        ("max_effort_percent", "120", "1から100までの整数（%）を入力するか、空欄にしてください。"),
        ("duplicate_cosine", "0", "0より大きく1以下の類似度を入力してください。"),
        ("duplicate_cosine", "abc", "数値を入力してください。"),
    ],
)
def test_a_bad_threshold_is_a_japanese_field_error_and_nothing_is_saved(
    people, field, value, message
):
    data = {
        "max_yen_per_fiscal_year": "1000",
        "max_effort_percent": "50",
        "duplicate_cosine": "0.6",
    }
    response = signed_in(people["staff"]).post(
        url("thresholds", people["jst"].pk), data | {field: value}
    )
    assert response.status_code == 422
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert response.context["saved"] is False
    assert not ScreeningThreshold.objects.filter(agency=people["jst"]).exists()
    assert not AuditEntry.objects.filter(action="integrity.screening.thresholds_saved").exists()


def test_starting_a_run_queues_it_and_its_pages_follow_it_to_the_end(
    people, django_capture_on_commit_callbacks
):
    background(people)
    hand_down("award:1", "award", people["pi"], people["jst"], AWARDED)
    hand_down("proposal:2", "proposal", people["applicant"], people["jst"], PLANTED)
    client = signed_in(people["staff"])
    form = client.get(url("runs"))
    assert form.status_code == 200
    target = f"{people['jst'].pk}:call-1"
    assert form.context["form"].fields["target"].choices == [
        (target, f"call-1 ({people['jst'].name_ja})")
    ]
    with using_backend("database"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url("runs"), {"target": target})
        run = ScreeningRun.objects.get()
        assert response.status_code == 302
        assert response["Location"] == url("run", run.pk)
        assert (run.agency, run.call_code, run.requested_by) == (
            people["jst"], "call-1", people["staff"],
        )  # fmt: skip
        assert AuditEntry.objects.filter(action="integrity.screening.run_started").exists()
        queued = client.get(url("run_progress", run.pk))
        assert queued.status_code == 200
        assert queued.context["run"]["status"] == RunStatus.QUEUED
        assert 'hx-trigger="every 2s"' in queued.content.decode()  # polled until finished
        assert run_queued_tasks() >= 1
    run.refresh_from_db()
    assert (run.status, run.total, run.done) == (RunStatus.DONE, 1, 1)
    assert run.flags_found >= 1
    done = client.get(url("run_progress", run.pk))
    assert done.context["run"]["finished"] is True
    assert "hx-get" not in done.content.decode()
    page = client.get(url("run", run.pk))
    assert page.status_code == 200
    assert (page.context["run"]["status"], page.context["run"]["percent"]) == (RunStatus.DONE, 100)


def test_an_unknown_call_is_a_field_error_and_starts_nothing(people):
    response = signed_in(people["staff"]).post(url("runs"), {"target": "999:nope"})
    assert response.status_code == 422
    assert "target" in response.context["form"].errors
    assert not ScreeningRun.objects.exists()


def denials(user) -> int:
    return AuditEntry.objects.filter(action="access.denied", actor=user).count()


def test_another_agencys_staff_get_an_audited_404_on_the_flag_its_review_and_thresholds(
    people, flag
):
    nedo = people["other"]
    client = signed_in(nedo)
    for response in (
        client.get(url("flag", flag.pk)),
        client.post(url("confirm", flag.pk), {"note": "見ました"}),
        client.get(url("thresholds", people["jst"].pk)),
        client.post(url("thresholds", people["jst"].pk), {"duplicate_cosine": "0.9"}),
    ):
        assert response.status_code == 404
        assert CANARY not in response.content.decode()
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN
    assert not ScreeningThreshold.objects.exists()
    entries = AuditEntry.objects.filter(action="access.denied", actor=nedo)
    assert entries.filter(object_id=str(flag.pk)).exists()
    assert entries.filter(object_repr=f"integrity-screening:thresholds:{people['jst'].pk}").exists()
    # The NEDO list does not show the JST flag.
    listed = client.get(url("flags"))
    assert listed.status_code == 200
    assert listed.context["page"].items == []


@pytest.mark.parametrize("who", ["applicant", "third"])
def test_applicants_and_researchers_get_an_audited_404_on_every_screening_page(people, flag, who):
    person = people[who]
    client = signed_in(person)
    for address in (url("flags"), url("runs"), url("flag", flag.pk)):
        response = client.get(address)
        assert response.status_code == 404
        assert CANARY not in response.content.decode()
    assert denials(person) >= 2
    assert AuditEntry.objects.filter(
        action="access.denied", actor=person, object_repr="integrity-screening"
    ).exists()
