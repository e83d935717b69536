"""Reads of proposals, always filtered by who is asking.

Three audiences see a proposal, each declared once below as a filter: the
owners (applicant and co-investigators: the working copy and every version),
the institution (once a version has been submitted) and the call's agency
(once a version has been endorsed). Lists, the detail page, the API, file
downloads and the ``proposals.view_proposal`` permission all read these same
declarations, so "may see this" and "is in my list" cannot disagree.
Everything else is a 404, audited by core.access.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    CharField,
    F,
    Prefetch,
    Q,
    QuerySet,
    When,
)
from django.db.models.functions import Lower

from openrd.accounts.models import Role
from openrd.accounts.queries import is_active_user, role_organisation_ids
from openrd.core.access import get_visible_or_404
from openrd.core.listing import Listing, search_q
from openrd.programs.models import Call
from openrd.proposals.models import (
    Endorsement,
    MemberStatus,
    Proposal,
    ProposalMember,
    ProposalStatus,
    ProposalVersion,
)

if TYPE_CHECKING:
    from django.http import HttpRequest

OWNER, INSTITUTION, AGENCY = "owner", "institution", "agency"


def _owners(user: Any) -> Q:
    # "pk IN (own proposals UNION memberships)": both halves are index lookups.
    # Neither a correlated EXISTS nor "applicant = … OR pk IN (memberships)",
    # which PostgreSQL answers by reading every proposal.
    # Only members who accepted: an invitation awaiting an answer shows nothing.
    member = ProposalMember.objects.filter(person=user, status=MemberStatus.ACCEPTED).values(
        "proposal_id"
    )
    own = Proposal.objects.filter(applicant=user).order_by().values("pk")
    return Q(pk__in=own.union(member))


# The institution and the agency are told apart by the columns the services
# copy onto each proposal from its versions (Proposal.latest_submitted_at,
# endorsed_submitted_at…): a column of the row itself, not a probe of its
# versions, and with the institution or the agency the key of one index.


def _institution(user: Any) -> Q:
    return (
        Q(institution_id__in=role_organisation_ids(user, Role.INSTITUTION_OFFICER))
        & ~Q(status=ProposalStatus.DRAFT)
        & Q(latest_submitted_at__isnull=False)
    )


def _agency(user: Any) -> Q:
    return Q(agency_id__in=role_organisation_ids(user, Role.AGENCY_STAFF)) & Q(
        endorsed_submitted_at__isnull=False
    )


@dataclass(frozen=True)
class Audience:
    mode: str
    condition: Callable[[Any], Q]


# The most direct view first: an officer who is also the applicant edits as the owner.
AUDIENCES = (
    Audience(OWNER, _owners),
    Audience(INSTITUTION, _institution),
    Audience(AGENCY, _agency),
)


def _base() -> QuerySet[Proposal]:
    return Proposal.objects.select_related(
        "call__program", "call__agency", "institution", "applicant"
    )


def _visible_as(user: Any, mode: str) -> QuerySet[Proposal]:
    if not is_active_user(user):
        return Proposal.objects.none()
    audience = next(a for a in AUDIENCES if a.mode == mode)
    return _base().filter(audience.condition(user))


def owned_proposals(user: Any) -> QuerySet[Proposal]:
    return _visible_as(user, OWNER)


def institution_proposals(user: Any) -> QuerySet[Proposal]:
    """Proposals of the officer's institutions that have been submitted at least once."""
    return _visible_as(user, INSTITUTION)


def agency_proposals(user: Any) -> QuerySet[Proposal]:
    """Proposals to the staff member's agencies with an endorsed version."""
    return _visible_as(user, AGENCY)


def _any_of(*conditions: Q) -> Q:
    """Rows meeting any of ``conditions``, as "pk IN (a UNION b …)": each part is
    read from its own index, where an OR of the conditions would make the
    database read every proposal (PostgreSQL cannot combine a semi-join with
    an index range)."""
    parts = [Proposal.objects.filter(c).order_by().values("pk") for c in conditions]
    return Q(pk__in=parts[0].union(*parts[1:]))


def visible_proposals(user: Any) -> QuerySet[Proposal]:
    """Every proposal the user may see, in any audience."""
    if not is_active_user(user):
        return Proposal.objects.none()
    return _base().filter(_any_of(*(audience.condition(user) for audience in AUDIENCES)))


def view_mode(user: Any, proposal: Proposal) -> str | None:
    """The audience the user sees ``proposal`` as, or None."""
    if not is_active_user(user):
        return None
    for audience in AUDIENCES:
        if Proposal.objects.filter(pk=proposal.pk).filter(audience.condition(user)).exists():
            return audience.mode
    return None


@dataclass(frozen=True)
class ProposalAccess:
    proposal: Proposal
    mode: str  # OWNER, INSTITUTION or AGENCY

    def versions(self) -> QuerySet[ProposalVersion]:
        qs = self.proposal.versions.select_related("disclosure", "endorsed_by").order_by("-number")
        if self.mode == AGENCY:
            return qs.filter(endorsement=Endorsement.ENDORSED)
        return qs


def proposal_access(user: Any, pk: int, *, request: HttpRequest | None = None) -> ProposalAccess:
    """The proposal as this user may see it, or Http404 (audited when it exists)."""
    for audience in AUDIENCES:
        found = _visible_as(user, audience.mode).filter(pk=pk).first()
        if found is not None:
            return ProposalAccess(found, audience.mode)
    return ProposalAccess(
        get_visible_or_404(Proposal.objects.none(), request=request, user=user, pk=pk), OWNER
    )


def version_file_digests(version: ProposalVersion) -> set[str]:
    """The SHA-256 digests of the files frozen in one submitted version."""
    return {
        str(a["sha256"])
        for a in version.content.get("attachments", [])
        if isinstance(a, dict) and a.get("sha256")
    }


def visible_file_digests(access: ProposalAccess) -> set[str]:
    """The SHA-256 digests of the files this viewer may download for the proposal:
    the files of the versions the viewer sees, and for the owners the working copy's."""
    digests = {d for v in access.versions() for d in version_file_digests(v)}
    if access.mode == OWNER:
        digests |= set(access.proposal.attachments.values_list("file__sha256", flat=True))
    return digests


def visible_accesses(user: Any) -> list[ProposalAccess]:
    """Every proposal the user may see, each in the most direct view the user has
    (owner over institution over agency), with versions prefetched for listing."""
    versions = Prefetch("versions", queryset=ProposalVersion.objects.order_by("-number"))
    seen: dict[int, ProposalAccess] = {}
    for audience in reversed(AUDIENCES):
        for proposal in _visible_as(user, audience.mode).prefetch_related(versions):
            seen[proposal.pk] = ProposalAccess(proposal, audience.mode)
    return list(seen.values())


def startable_call(pk: int) -> Call | None:
    """A published call a draft may be started for (the window is the service's to judge)."""
    return Call.objects.exclude(status="draft").filter(pk=pk).first()


# ---------------------------------------------------------------- lists that page

# The proposal lists: the most recently changed first. The "shown_" fields are
# what the viewer may see: the owners' working copy, or for the institution and
# the agency the latest version they may read, so neither the titles shown nor
# the order of a sort nor a search can reveal the working copy.
PROPOSAL_LISTING = Listing(
    sorts={
        "updated": ("shown_updated_at",),
        "created": ("shown_created_at",),
        "deadline": ("call__closes_at",),
        "title": ("shown_title",),
    },
    default_sort="-updated",
    filters=("status",),
)


# The columns of a proposal list's row (proposals/_proposal_table.html) besides
# the shown title and times, which are annotated for the audience.
LIST_FIELDS = (
    "status", "call_id", "institution_id", "applicant_id",
    "call__title_ja", "call__title_en", "call__closes_at",
    "institution__name_ja", "institution__name_en",
    "applicant__username", "applicant__name_ja", "applicant__name_en",
)  # fmt: skip


def _shown_fields(mode: str, lang: str) -> dict[str, Any]:
    if mode == OWNER:
        fields: dict[str, Any] = {
            "shown_title_ja": F("title_ja"),
            "shown_title_en": F("title_en"),
            "shown_updated_at": F("updated_at"),
            "shown_created_at": F("created_at"),
        }
    else:
        # The copies of the latest version the audience may read.
        prefix = "endorsed" if mode == AGENCY else "latest"
        fields = {
            "shown_title_ja": F(f"{prefix}_title_ja"),
            "shown_title_en": F(f"{prefix}_title_en"),
            "shown_updated_at": F(f"{prefix}_submitted_at"),
            # The agency's first version is its latest: an endorsed proposal can
            # only be withdrawn, so a proposal has at most one endorsed version.
            "shown_created_at": F(
                "endorsed_submitted_at" if mode == AGENCY else "first_submitted_at"
            ),
        }
    # The title in the page's language, falling back to the other one.
    primary, fallback = (
        ("shown_title_en", "shown_title_ja")
        if lang == "en"
        else ("shown_title_ja", "shown_title_en")
    )
    return fields | {
        "shown_title": Case(
            When(~Q(**{primary: ""}), then=F(primary)),
            default=F(fallback),
            output_field=CharField(),
        )
    }


def listed_proposals(
    user: Any, mode: str, *, q: str = "", status: str = "", lang: str = "ja"
) -> QuerySet[Proposal]:
    """The proposals ``user`` sees as ``mode``, searched by the title they may see
    (Japanese and English) and filtered by status, ready to be sorted. The rows
    carry what a list shows of them (``LIST_FIELDS``), not the whole call,
    program and people of each."""
    rows = (
        _visible_as(user, mode)
        .select_related(None)
        .select_related("call", "institution", "applicant")
        .only(*LIST_FIELDS)
        .annotate(**_shown_fields(mode, lang))
    )
    if status:
        rows = rows.filter(status=status)
    if q:
        rows = rows.filter(search_q(q, ("shown_title_ja", "shown_title_en")))
    return rows


def listed_visible_proposals(user: Any, *, q: str = "", status: str = "") -> QuerySet[Proposal]:
    """Every proposal the user may see, for the API's pages. A search reads the
    titles each audience may read, as the lists do: the owners the working copy,
    the institution the latest submitted version, the agency the endorsed one."""
    if not is_active_user(user):
        return Proposal.objects.none()
    if not q:
        rows = visible_proposals(user)
    else:
        owned = _owners(user)
        rows = _base().filter(
            _any_of(
                owned & search_q(q, ("title_ja", "title_en")),
                ~owned & _institution(user) & search_q(q, ("latest_title_ja", "latest_title_en")),
                ~owned & _agency(user) & search_q(q, ("endorsed_title_ja", "endorsed_title_en")),
            )
        )
    return rows.filter(status=status) if status else rows


def listed_rows() -> QuerySet[Proposal]:
    """The rows of the API's list: each proposal with its call, institution and
    its two latest versions joined (their number and endorsement alone), and
    *unfiltered* — the page's rows are read by key from here once the visible,
    searched list has chosen the keys (``keyset_page(deferred=...)``), instead
    of the visibility's union being worked out again for them. Only the columns
    a summary and the API's orders read: a program's rules and the seed's text
    would otherwise come along with every row."""
    return Proposal.objects.select_related(
        "call", "institution", "latest_version", "latest_endorsed_version"
    ).only(
        *SUMMARY_FIELDS,
        "call__code",
        "call__closes_at",
        "institution__code",
        *(f"{version}__{field}" for version in ("latest_version", "latest_endorsed_version")
          for field in ("number", "endorsement")),
    )  # fmt: skip


# The proposal's own columns a list's summary shows (queries.listed_rows).
SUMMARY_FIELDS = (
    "call_id", "status", "title_ja", "title_en",
    "latest_title_ja", "latest_title_en", "endorsed_title_ja", "endorsed_title_en",
)  # fmt: skip


def accesses_for(user: Any, proposals: list[Proposal]) -> list[ProposalAccess]:
    """``proposals`` (one page) each in the most direct view the user has: a query
    per audience, whatever the page's length (the rows of ``listed_rows`` carry
    the versions their summary names)."""
    ids = [p.pk for p in proposals]
    modes: dict[int, str] = {}
    for audience in reversed(AUDIENCES):
        for pk in _visible_as(user, audience.mode).filter(pk__in=ids).values_list("pk", flat=True):
            modes[pk] = audience.mode
    return [ProposalAccess(p, modes[p.pk]) for p in proposals if p.pk in modes]


# ---------------------------------------------------------------- invitations


def proposal_members(proposal: Proposal) -> QuerySet[ProposalMember]:
    """Every invitation of the proposal, answered or not, in the order made (the owners' view)."""
    return proposal.members.select_related("person").prefetch_related("shares").order_by("id")


def verified_addresses(user: Any) -> QuerySet[Any]:
    """The user's verified e-mail addresses, lower-cased (``address``), as a subquery."""
    from allauth.account.models import EmailAddress

    return (
        EmailAddress.objects.filter(user=user, verified=True)
        .annotate(address=Lower("email"))
        .values("address")
    )


def invitation_for(user: Any, member_id: int) -> ProposalMember | None:
    """One of the invitations awaiting ``user``'s answer, or None."""
    return invitations_for(user).filter(pk=member_id).first()


def invitations_for(user: Any) -> QuerySet[ProposalMember]:
    """The invitations awaiting an answer from ``user``: those naming the user's
    e-Rad number, and those naming no number but one of the user's verified
    e-mail addresses. One query."""
    if not is_active_user(user):
        return ProposalMember.objects.none()
    named = Q(invited_erad_number="", invited_email__in=verified_addresses(user))
    if user.erad_researcher_number:
        named |= Q(invited_erad_number=user.erad_researcher_number)
    return (
        ProposalMember.objects.filter(named, status=MemberStatus.INVITED)
        .exclude(proposal__applicant=user)
        .select_related("proposal__call", "proposal__applicant")
        .order_by("-invited_at", "-id")
    )


def token_digest(token: str) -> str:
    """What is stored of an invitation's token: its SHA-256, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_by_token(token: str) -> ProposalMember | None:
    """The invitation of an e-mail's link (any state), or None."""
    if not token or len(token) > 100:
        return None
    return (
        ProposalMember.objects.select_related("proposal__call", "proposal__applicant", "person")
        .filter(token_digest=token_digest(token))
        .first()
    )
