"""A page of harvested records loaded for ``records.build_record``: what
``queries.with_record`` loads, in a fixed number of queries, shaped for pages
of a hundred records that mostly share a few awards, programs and institutions.

``with_record`` joins each record to its award, call, program, funder and
institution, making a copy of each shared row per record, and its
``Prefetch`` querysets are cloned once per record; at a harvest's scale that is
most of a page's time. Here the page's rows are read plain, the rows they share
once per page (by id, ``in_bulk``), and creators, files and further awards in one
query each, handed to each record as its prefetched relations.
``test_oai_formats.test_page_loader_builds_the_same_records_as_with_record``
holds the two to the same records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet

from openrd.accounts.models import Organisation
from openrd.awards.models import Award
from openrd.programs.models import Program
from openrd.repository.models import Output, OutputCreator, OutputFile


def load_page(rows: QuerySet[Output]) -> list[Output]:
    """The records of ``rows`` (already sliced to a page), ready for build_record."""
    outputs = list(rows)
    if not outputs:
        return outputs
    ids = [o.pk for o in outputs]
    creators = _by_output(
        OutputCreator.objects.filter(output_id__in=ids)
        .select_related("affiliation")
        .order_by("output_id", "order", "id")
    )
    files = _by_output(
        OutputFile.objects.filter(output_id__in=ids)
        .select_related("stored")
        .order_by("output_id", "order", "id")
    )
    through = Output.other_awards.through.objects.filter(output_id__in=ids).order_by("id")
    further = list(through.values_list("output_id", "award_id"))
    awards = Award.objects.select_related("call__agency", "program").in_bulk(
        {o.award_id for o in outputs} | {award for _, award in further}
    )
    organisations = Organisation.objects.in_bulk(
        {o.institution_id for o in outputs} | {o.funder_id for o in outputs if o.funder_id}
    )
    programs = Program.objects.in_bulk({o.program_id for o in outputs})
    other_awards: dict[int, list[Award]] = defaultdict(list)
    for output_id, award_id in further:
        other_awards[output_id].append(awards[award_id])
    for output in outputs:
        output.award = awards[output.award_id]
        output.program = programs[output.program_id]
        output.institution = organisations[output.institution_id]
        output.funder = organisations[output.funder_id] if output.funder_id else None
        # What prefetch_related leaves behind, as plain lists: build_record
        # iterates ``output.creators.all()`` and the like, which read this cache.
        output.__dict__["_prefetched_objects_cache"] = {
            "creators": creators[output.pk],
            "files": files[output.pk],
            "other_awards": other_awards[output.pk],
        }
    return outputs


def _by_output[R: (OutputCreator, OutputFile)](rows: Iterable[R]) -> defaultdict[int, list[R]]:
    grouped: defaultdict[int, list[R]] = defaultdict(list)
    for row in rows:
        grouped[row.output_id].append(row)
    return grouped
