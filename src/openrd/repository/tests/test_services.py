"""The deposit workflow through its services: each step audited, a refused step
writes nothing, embargoes lift on their day, versions keep one concept."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from openrd.core.fiscal import TOKYO
from openrd.core.models import AuditEntry
from openrd.core.refusals import Refused
from openrd.repository import services
from openrd.repository.models import DepositStatus, Output
from openrd.repository.tests.conftest import PDF

pytestmark = pytest.mark.django_db


def test_publish_walks_the_workflow_and_audits_each_step(repo):
    output = repo.deposit()
    assert output.status == DepositStatus.PUBLISHED
    assert output.published_at is not None
    assert output.datestamp == output.published_at
    assert output.opened_at == output.published_at
    actions = list(
        AuditEntry.objects.filter(object_id=str(output.pk), object_type="repository.output")
        .order_by("id")
        .values_list("action", flat=True)
    )
    for step in ("created", "creators", "submitted", "curated", "published"):
        assert f"repository.output.{step}" in actions


def test_an_incomplete_deposit_is_refused_and_nothing_is_written(repo):
    output = repo.deposit(publish=False, files=[], creators=[])
    before = AuditEntry.objects.count()
    with pytest.raises(Refused) as refused:
        services.submit(output, actor=repo.pi)
    codes = refused.value.decision.codes()
    assert "deposit.no_files" in codes
    assert "deposit.no_creators" in codes
    output.refresh_from_db()
    assert output.status == DepositStatus.DRAFT
    assert output.submitted_at is None
    assert AuditEntry.objects.count() == before


def test_a_metadata_only_record_needs_no_file(repo):
    output = repo.deposit(files=[], access_rights="metadata_only", licence="")
    assert output.status == DepositStatus.PUBLISHED


def test_the_depositor_cannot_edit_after_submission(repo):
    output = repo.deposit(publish=False)
    services.submit(output, actor=repo.pi)
    with pytest.raises(Refused):
        services.save_output(output, actor=repo.pi, title_en="Changed")
    # The curator may correct it while curating.
    services.save_output(output, actor=repo.curator, as_curator=True, title_en="Corrected")
    output.refresh_from_db()
    assert output.title_en == "Corrected"


def test_bad_fields_come_back_by_name_and_nothing_is_saved(repo):
    output = repo.deposit(publish=False)
    with pytest.raises(ValidationError) as error:
        services.save_output(
            output, actor=repo.pi, doi="not a doi", licence="GPL", access_rights="embargoed"
        )
    assert {"doi", "licence"} <= set(error.value.message_dict)
    output.refresh_from_db()
    assert output.doi == "10.1103/PhysRevResearch.1.000001"
    assert output.licence == "CC-BY-4.0"


def test_a_stale_revision_is_refused(repo):
    output = repo.deposit(publish=False)
    services.save_output(output, actor=repo.pi, revision=output.revision, title_en="One")
    with pytest.raises(ValidationError) as error:
        services.save_output(output, actor=repo.pi, revision=output.revision, title_en="Two")
    assert "revision" in error.value.message_dict


def test_creators_errors_name_their_row(repo):
    output = repo.deposit(publish=False)
    with pytest.raises(ValidationError) as error:
        services.set_creators(
            output,
            [
                {"family_name_ja": "山田"},
                {"family_name_en": "Sato", "orcid": "0000-0002-1825-0098"},
            ],
            actor=repo.pi,
        )
    assert "creators.1.orcid" in error.value.message_dict
    assert output.creators.count() == 1  # the earlier authors are kept


def test_return_needs_a_note_and_sends_the_deposit_back(repo):
    output = repo.deposit(publish=False)
    services.submit(output, actor=repo.pi)
    with pytest.raises(ValidationError):
        services.return_to_depositor(output, actor=repo.curator, note=" ")
    returned = services.return_to_depositor(output, actor=repo.curator, note="ライセンスを確認")
    assert returned.status == DepositStatus.DRAFT
    assert returned.curator_note == "ライセンスを確認"


def test_withdrawal_needs_a_reason_and_leaves_a_tombstone(repo):
    output = repo.deposit()
    with pytest.raises(Refused):
        services.withdraw(output, actor=repo.curator, reason="")
    output.refresh_from_db()
    assert output.status == DepositStatus.PUBLISHED
    stamped = output.datestamp
    gone = services.withdraw(output, actor=repo.curator, reason="出版社の撤回")
    assert gone.is_tombstone
    assert gone.withdrawal_reason == "出版社の撤回"
    assert gone.datestamp > stamped
    with pytest.raises(Refused):
        services.withdraw(gone, actor=repo.curator, reason="again")


def test_embargo_is_lifted_on_its_day_in_tokyo(repo):
    output = repo.deposit(
        access_rights="embargoed",
        embargo_until=date(2099, 1, 1),
        files=[("aam.pdf", PDF, "embargoed")],
    )
    the_eve = datetime(2098, 12, 31, 23, 59, 59, tzinfo=TOKYO)
    assert services.lift_embargoes(now=the_eve) == []
    output.refresh_from_db()
    assert output.access_rights == "embargoed"
    lifted = services.lift_embargoes(now=the_eve + timedelta(seconds=1))
    assert lifted == [output.pk]
    output.refresh_from_db()
    assert output.access_rights == "open"
    assert output.embargo_until is None
    assert output.files.get().access == "open"
    assert output.opened_at == the_eve + timedelta(seconds=1)
    assert AuditEntry.objects.filter(action="repository.output.embargo_lifted").count() == 1
    assert services.lift_embargoes(now=the_eve + timedelta(days=1)) == []


def test_new_version_keeps_the_concept_and_becomes_latest_when_published(repo):
    first = repo.deposit()
    second = services.new_version(first, actor=repo.pi)
    assert second.concept_id == first.concept_id == first.pk
    assert second.version_number == 2
    assert second.status == DepositStatus.DRAFT
    assert second.files.count() == 1
    assert second.creators.count() == 1
    with pytest.raises(ValidationError):
        services.new_version(first, actor=repo.pi)  # one version in progress at a time
    services.submit(second, actor=repo.pi)
    services.curate(second, actor=repo.curator)
    services.publish(second, actor=repo.curator)
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.is_latest
    assert not first.is_latest
    assert first.datestamp >= second.published_at  # harvesters see first's new relation
    assert Output.objects.filter(concept_id=first.pk, is_latest=True).count() == 1


def test_an_exception_takes_a_reason_from_the_list(repo):
    output = repo.deposit(publish=False)
    with pytest.raises(ValidationError):
        services.report_oa_exception(output, actor=repo.pi, reason="because")
    with pytest.raises(ValidationError):
        services.report_oa_exception(output, actor=repo.pi, reason="other", note="")
    done = services.report_oa_exception(
        output, actor=repo.pi, reason="publisher_embargo", today=date(2026, 5, 1)
    )
    assert done.oa_exception == "publisher_embargo"
    assert done.oa_exception_reported_on == date(2026, 5, 1)


def test_the_depositor_is_told_of_a_return_and_of_the_publication(repo):
    from openrd.notifications.models import Notification

    output = repo.deposit(publish=False)
    services.submit(output, actor=repo.pi)
    assert Notification.objects.filter(
        recipient=repo.curator, kind="repository.deposit_submitted"
    ).exists()
    services.return_to_depositor(output, actor=repo.curator, note="DOIを追加してください")
    returned = Notification.objects.get(recipient=repo.pi, kind="repository.deposit_returned")
    assert returned.context["note"] == "DOIを追加してください"
    services.submit(output, actor=repo.pi)
    services.curate(output, actor=repo.curator)
    services.publish(output, actor=repo.curator)
    assert Notification.objects.filter(recipient=repo.pi, kind="repository.published").exists()


def test_only_a_published_record_gets_a_new_version(repo):
    draft = repo.deposit(publish=False)
    with pytest.raises(Refused) as refused:
        services.new_version(draft, actor=repo.pi)
    assert refused.value.decision.codes() == ["deposit.not_published"]
