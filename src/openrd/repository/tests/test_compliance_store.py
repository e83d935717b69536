"""The verdicts kept beside the outputs agree with the rules: after a deposit,
a publication, a file's change, a change of the award's call or the program's
coverage, across a due date, and after a bulk load that sent no signals."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from openrd.core.fiscal import TOKYO
from openrd.repository import compliance, compliance_store, services
from openrd.repository.models import Output
from openrd.repository.rules import ComplianceStatus

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 1)
S = ComplianceStatus


def _kept(output: Output, today: date) -> ComplianceStatus:
    """The status the stored verdict reads as on ``today`` (exactly one matches)."""
    (status,) = [
        s for s in S
        if Output.objects.filter(compliance_store.in_status(s, today), pk=output.pk).exists()
    ]  # fmt: skip
    return status


def _judged(output: Output, today: date) -> ComplianceStatus:
    (row,) = compliance.counted_outputs().filter(pk=output.pk)
    return compliance.compliance_of(row, today=today).status


def _agree(today: date = TODAY) -> dict[str, ComplianceStatus]:
    found = {}
    for output in Output.objects.order_by("pk"):
        assert _kept(output, today) == _judged(output, today), output.title_en
        found[output.title_en] = _kept(output, today)
    return found


def test_every_deposit_and_publication_is_judged_as_it_is_saved(repo):
    draft = repo.deposit(title_en="draft", publish=False, published_on=date(2026, 5, 20))
    assert _agree() == {"draft": S.PENDING}
    services.submit(draft, actor=repo.pi)
    services.curate(draft, actor=repo.curator)
    services.publish(draft, actor=repo.curator)
    assert _agree() == {"draft": S.COMPLIANT}
    excused = repo.deposit(title_en="excused", publish=False, published_on=date(2026, 1, 5),
                           accepted_on=date(2025, 12, 1))  # fmt: skip
    assert _kept(excused, TODAY) == S.NON_COMPLIANT
    services.report_oa_exception(excused, actor=repo.pi, reason="apc_unaffordable")
    assert _agree()["excused"] == S.EXCEPTION


def test_a_pending_verdict_reads_late_from_the_day_after_its_due_date(repo):
    output = repo.deposit(title_en="to open", publish=False, published_on=date(2026, 5, 20))
    output.refresh_from_db()
    due = output.compliance_due_on
    assert due == date(2026, 6, 19)
    assert _agree(due) == {"to open": S.PENDING}
    assert _agree(due + timedelta(days=1)) == {"to open": S.NON_COMPLIANT}


def test_a_file_closed_or_removed_re_judges_its_output(repo):
    output = repo.deposit(title_en="open")
    assert _agree() == {"open": S.COMPLIANT}
    (file,) = output.files.all()
    file.access = "restricted"
    file.save()
    assert _agree() == {"open": S.NON_COMPLIANT}
    file.access = "open"
    file.save()
    assert _agree() == {"open": S.COMPLIANT}
    file.delete()
    assert _agree() == {"open": S.NON_COMPLIANT}


def test_the_award_s_call_decides_and_a_change_of_it_re_judges(repo):
    repo.deposit(title_en="open")
    repo.deposit(title_en="late", publish=False, published_on=date(2026, 1, 5),
                 accepted_on=date(2025, 12, 1))  # fmt: skip
    # Opened on the last day of FY2024: the mandate does not cover the call's awards.
    repo.call.opens_at = datetime(2025, 3, 31, 9, 0, tzinfo=TOKYO)
    repo.call.save()
    assert _agree() == {"open": S.NOT_MANDATED, "late": S.NOT_MANDATED}
    repo.call.opens_at = datetime(2025, 4, 1, 0, 0, tzinfo=TOKYO)
    repo.call.save()
    assert _agree() == {"open": S.COMPLIANT, "late": S.NON_COMPLIANT}


def test_many_outputs_changed_at_once_wait_unjudged_and_a_roll_up_judges_them(repo, monkeypatch):
    repo.deposit(title_en="open")
    monkeypatch.setattr(compliance_store, "INLINE", 0)
    repo.call.opens_at = datetime(2025, 3, 31, 9, 0, tzinfo=TOKYO)
    repo.call.save()
    assert list(Output.objects.values_list("compliance_status", flat=True)) == [""]
    (group,) = compliance_store.roll_up(Output.objects.all(), "award", today=TODAY)
    assert (group.summary.total, group.summary.mandated) == (1, 0)
    assert _agree() == {"open": S.NOT_MANDATED}


def test_a_bulk_load_that_sent_no_signals_is_judged_before_counting(repo):
    template = repo.deposit(title_en="open")
    Output.objects.bulk_create([
        Output(award=repo.award, program=template.program, institution=template.institution,
               kind="article", title_en="bulk", peer_reviewed=True,
               published_on=date(2026, 1, 5), accepted_on=date(2025, 12, 1))
    ])  # fmt: skip
    assert Output.objects.filter(compliance_status="").count() == 1
    per_year = compliance_store.per_fiscal_year(Output.objects.all(), TODAY)
    assert {fy: (s.mandated, s.compliant) for fy, s in per_year.items()} == {
        2025: (1, 0), 2026: (1, 1),
    }  # fmt: skip
    assert _agree() == {"open": S.COMPLIANT, "bulk": S.NON_COMPLIANT}


def test_judge_all_repairs_a_verdict_written_around_the_rules(repo):
    output = repo.deposit(title_en="open")
    Output.objects.filter(pk=output.pk).update(compliance_status=S.NON_COMPLIANT)
    assert compliance_store.judge_all() == 1
    assert _agree() == {"open": S.COMPLIANT}


def test_a_save_that_changes_nothing_the_mandate_reads_re_judges_nothing(repo):
    output = repo.deposit(title_en="open")
    # A marker no judging would write: it stays unless the output is judged again.
    Output.objects.filter(pk=output.pk).update(compliance_due_on=date(2000, 1, 1))
    program = repo.award.program
    program.save()  # a preset reloaded as it was
    repo.call.title_en = "renamed"
    repo.call.save()
    assert Output.objects.get(pk=output.pk).compliance_due_on == date(2000, 1, 1)
    repo.call.opens_at = datetime(2025, 3, 31, 9, 0, tzinfo=TOKYO)
    repo.call.save()
    assert _agree() == {"open": S.NOT_MANDATED}


def test_a_read_judges_a_few_unjudged_outputs_and_leaves_the_rest_to_the_scheduler(
    repo, monkeypatch
):
    for n in range(3):
        repo.deposit(title_en=f"open {n}")
    Output.objects.update(compliance_status="")
    monkeypatch.setattr(compliance_store, "READ_JUDGES", 2)
    (group,) = compliance_store.roll_up(Output.objects.all(), "award", today=TODAY)
    assert group.summary.total == 2  # the third waits
    assert compliance_store.judge_unjudged() == 1
    (group,) = compliance_store.roll_up(Output.objects.all(), "award", today=TODAY)
    assert group.summary.total == 3
