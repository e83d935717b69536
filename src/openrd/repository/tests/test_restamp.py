"""Renaming what a record shows — its institution, its funder, its program, its
award — gives the published records new datestamps, so a harvest ``from`` the
rename fetches them again with the new names; other changes move nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from openrd.accounts.services import upsert_organisation
from openrd.programs.models import Program
from openrd.repository.models import Output
from openrd.repository.oai.testing import OAI_NS, oai_get

pytestmark = pytest.mark.django_db


def stamp(output: Output):
    return Output.objects.values_list("datestamp", flat=True).get(pk=output.pk)


@pytest.fixture
def published(repo):
    """A published and a draft output, their datestamps an hour in the past."""
    out = repo.deposit()
    draft = repo.deposit(publish=False, title_en="Still a draft")
    hour_ago = timezone.now() - timedelta(hours=1)
    Output.objects.filter(pk=out.pk).update(datestamp=hour_ago)
    return out, draft, hour_ago


def test_renaming_the_funder_restamps_its_records_and_a_harvest_from_then_sees_it(
    client, repo, published
):
    out, draft, _hour_ago = published
    before_rename = timezone.now().replace(microsecond=0)
    upsert_organisation(code="jst", name_en="Japan Science and Technology Agency (renamed)")
    assert stamp(out) >= before_rename
    assert stamp(draft) is None  # a draft has no record to restamp
    doc = oai_get(
        client,
        verb="ListRecords",
        metadataPrefix="jpcoar_2.0",
        **{"from": before_rename.strftime("%Y-%m-%dT%H:%M:%SZ")},
    )
    funders = {f.text for f in doc.iterfind(".//jpcoar:funderName", OAI_NS)}
    assert "Japan Science and Technology Agency (renamed)" in funders


def test_a_change_to_what_no_record_shows_moves_nothing(repo, published):
    out, _draft, hour_ago = published
    upsert_organisation(code=repo.university.code, website="https://example.ac.jp/")
    assert stamp(out) == hour_ago


def test_the_funder_program_and_award_restamp_their_records(repo, published):
    out, _draft, hour_ago = published
    upsert_organisation(code=repo.university.code, name_en="Tsukuba University of Quanta")
    assert stamp(out) > hour_ago  # the institution (and the creator's affiliation)

    Output.objects.filter(pk=out.pk).update(datestamp=hour_ago)
    upsert_organisation(code="jst", crossref_funder_id="501100009999")
    assert stamp(out) > hour_ago  # the funder's identifier

    Output.objects.filter(pk=out.pk).update(datestamp=hour_ago)
    program = Program.objects.get(code="moonshot")
    program.name_en = "Moonshot R&D Program (renamed)"
    program.save()
    assert stamp(out) > hour_ago

    Output.objects.filter(pk=out.pk).update(datestamp=hour_ago)
    award = repo.award
    award.title_en = "A retitled award"
    award.save(update_fields=["title_en"])
    assert stamp(out) > hour_ago


def test_an_award_saved_without_its_shown_fields_moves_nothing(repo, published):
    out, _draft, hour_ago = published
    award = repo.award
    award.save(update_fields=["status"])
    assert stamp(out) == hour_ago
