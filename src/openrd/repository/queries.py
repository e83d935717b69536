"""Reads of the repository. Who may see a deposit is declared once here: the
public sees published records (and the tombstones of withdrawn ones); the
depositor and the award's researchers their own deposits; curators their
institution's; agency staff the outputs of the awards they fund."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from openrd.accounts.models import Role
from openrd.accounts.queries import is_active_user, role_organisation_ids
from openrd.repository.models import DepositStatus, Output, OutputCreator, OutputFile

S = DepositStatus


def with_record(rows: QuerySet[Output]) -> QuerySet[Output]:
    """Everything a record's metadata needs, in a fixed number of queries."""
    from openrd.awards.models import Award

    return rows.select_related(
        "award__call__agency", "award__program", "program", "funder", "institution"
    ).prefetch_related(
        Prefetch(
            "creators",
            queryset=OutputCreator.objects.select_related("affiliation").order_by("order", "id"),
        ),
        Prefetch(
            "files", queryset=OutputFile.objects.select_related("stored").order_by("order", "id")
        ),
        Prefetch(
            "other_awards",
            queryset=Award.objects.select_related("call__agency", "program").prefetch_related(
                "program__agencies"
            ),
        ),
    )


def public_outputs() -> QuerySet[Output]:
    """Published records: the public repository."""
    return Output.objects.filter(status=S.PUBLISHED)


def public_pages() -> QuerySet[Output]:
    """Records with a public landing page: published ones and tombstones."""
    return Output.objects.filter(published_at__isnull=False)


def harvestable() -> QuerySet[Output]:
    """What OAI-PMH exposes: every record ever published; a withdrawn one is
    reported deleted (``deletedRecord=persistent``)."""
    return Output.objects.filter(published_at__isnull=False)


def curator_institution_ids(user: Any) -> frozenset[int]:
    return role_organisation_ids(user, Role.CURATOR)


def deposits_visible_to(user: Any) -> QuerySet[Output]:
    """Every deposit ``user`` may open, whatever its state (a union of audiences,
    each from its own index)."""
    if not is_active_user(user):
        return public_pages()
    own = Output.objects.filter(
        Q(deposited_by=user) | Q(award__pi=user) | Q(award__members__person=user)
    ).values("pk")
    parts = [public_pages().values("pk"), own]
    curated = curator_institution_ids(user)
    if curated:
        parts.append(
            Output.objects.filter(institution_id__in=curated).exclude(status=S.DRAFT).values("pk")
        )
    funded = role_organisation_ids(user, Role.AGENCY_STAFF)
    if funded:
        parts.append(Output.objects.filter(funder_id__in=funded).values("pk"))
    first, *rest = parts
    return Output.objects.filter(pk__in=first.union(*rest))


def is_depositor(user: Any, output: Output) -> bool:
    if not is_active_user(user):
        return False
    if output.deposited_by_id == user.pk or output.award.pi_id == user.pk:
        return True
    return output.award.members.filter(person=user).exists()


def is_curator(user: Any, output: Output) -> bool:
    return output.institution_id in curator_institution_ids(user)


def concept_versions(concept_id: int) -> QuerySet[Output]:
    return public_pages().filter(concept_id=concept_id).order_by("version_number")


def latest_public_version(concept_id: int) -> Output | None:
    return public_outputs().filter(concept_id=concept_id).order_by("-version_number").first()


def compliance_scope(user: Any) -> QuerySet[Output] | None:
    """The outputs whose compliance ``user`` may follow: the command tower and
    ministries every output; agency staff those of the awards they fund;
    curators and institution officers their institution's; a researcher those
    of their own awards and deposits. None: nothing (the page answers 404)."""
    if not is_active_user(user):
        return None
    roles = set(user.role_codes())
    if {Role.COMMAND_TOWER_ADMIN.value, Role.MINISTRY.value} & roles:
        return Output.objects.all()
    parts = []
    funded = role_organisation_ids(user, Role.AGENCY_STAFF)
    if funded:
        parts.append(Output.objects.filter(funder_id__in=funded).values("pk"))
    institutions = curator_institution_ids(user) | role_organisation_ids(
        user, Role.INSTITUTION_OFFICER
    )
    if institutions:
        parts.append(Output.objects.filter(institution_id__in=institutions).values("pk"))
    if Role.RESEARCHER.value in roles:
        parts.append(Output.objects.filter(Q(award__pi=user) | Q(deposited_by=user)).values("pk"))
    if not parts:
        return None
    first, *rest = parts
    return Output.objects.filter(pk__in=first.union(*rest) if rest else first)


def own_outputs(user: Any) -> QuerySet[Output]:
    """A researcher's outputs: deposited by them or of their awards."""
    if not is_active_user(user):
        return Output.objects.none()
    return Output.objects.filter(Q(award__pi=user) | Q(deposited_by=user))


def to_curate(user: Any) -> QuerySet[Output]:
    """Deposits awaiting the curator's work at their institutions."""
    institutions = curator_institution_ids(user)
    if not institutions:
        return Output.objects.none()
    return Output.objects.filter(
        institution_id__in=institutions, status__in=[S.SUBMITTED, S.CURATED]
    )
