"""Proposals: a working copy the applicant edits, and immutable submitted versions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from openrd.core.i18n import localized
from openrd.core.validators import validate_plain_text


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, awaiting endorsement")
    RETURNED = "returned", _("Returned by the institution")
    ENDORSED = "endorsed", _("Endorsed by the institution")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Proposal(models.Model):
    """The applicant's working copy. Submitting snapshots it into a ProposalVersion;
    the institution and the agency only ever see versions, never the working copy."""

    call = models.ForeignKey(
        "programs.Call", verbose_name=_("call"), on_delete=models.PROTECT, related_name="proposals"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("principal investigator"),
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    institution = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT
    )
    # One-line titles: no bidi overrides or invisible characters that make them
    # read differently from what is stored (abstracts may have line breaks).
    title_ja = models.CharField(
        pgettext_lazy("proposal", "title (Japanese)"),
        max_length=300,
        blank=True,
        validators=[validate_plain_text],
    )
    title_en = models.CharField(
        pgettext_lazy("proposal", "title (English)"),
        max_length=300,
        blank=True,
        validators=[validate_plain_text],
    )
    abstract_ja = models.TextField(_("abstract (Japanese)"), max_length=4000, blank=True)
    abstract_en = models.TextField(_("abstract (English)"), max_length=4000, blank=True)
    effort_percent = models.PositiveSmallIntegerField(_("effort (%)"), null=True, blank=True)
    # The latest version the institution may read (any submitted one), the
    # latest the agency may read (an endorsed one) and when the first was
    # submitted, so the lists join a row instead of probing versions. Written
    # only by services.common.refresh_latest_versions, in the transaction that
    # writes a version.
    latest_version = models.ForeignKey(
        "ProposalVersion",
        verbose_name=_("latest submitted version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    latest_endorsed_version = models.ForeignKey(
        "ProposalVersion",
        verbose_name=_("latest endorsed version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    first_submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    # What the lists show and sort by, copied from those two versions (their
    # submission time and titles), so that a list of an agency's thousands of
    # proposals is read from one index of this table: no join to the versions,
    # no title taken out of their JSON content for every row. Written with the
    # pointers, by the same function.
    latest_submitted_at = models.DateTimeField(_("latest version submitted"), null=True, blank=True)
    latest_title_ja = models.CharField(
        _("title of the latest version (Japanese)"), max_length=300, blank=True, default=""
    )
    latest_title_en = models.CharField(
        _("title of the latest version (English)"), max_length=300, blank=True, default=""
    )
    endorsed_submitted_at = models.DateTimeField(
        _("endorsed version submitted"), null=True, blank=True
    )
    endorsed_title_ja = models.CharField(
        _("title of the endorsed version (Japanese)"), max_length=300, blank=True, default=""
    )
    endorsed_title_en = models.CharField(
        _("title of the endorsed version (English)"), max_length=300, blank=True, default=""
    )
    # The call's funding agency, which reads the endorsed proposals: a column of
    # the proposal so the agency's list is one index range. A call's agency can
    # change only while the call is a draft, before any proposal exists, so the
    # copy set by services.create_proposal (and by bulk loaders) stays true.
    agency = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("funding agency"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Optimistic concurrency: every save must name the revision it started from.
    revision = models.PositiveIntegerField(_("revision"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        # The proposal lists: each audience's rows, most recently changed first.
        indexes = [
            models.Index(fields=["applicant", "-updated_at"], name="proposal_list_applicant"),
            models.Index(fields=["institution", "status"], name="proposal_list_institution"),
            models.Index(fields=["call", "-updated_at"], name="proposal_list_call_updated"),
            models.Index(
                fields=["institution", "-latest_submitted_at", "-id"],
                name="proposal_list_inst_submitted",
            ),
            models.Index(
                fields=["agency", "-endorsed_submitted_at", "-id"],
                name="proposal_list_agency",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(effort_percent__isnull=True) | Q(effort_percent__lte=100),
                name="proposal_effort_at_most_100",
            )
        ]

    def __str__(self) -> str:
        return self.title or f"#{self.pk}"

    @property
    def title(self) -> str:
        return localized(self.title_ja, self.title_en)


class MemberRole(models.TextChoices):
    CO_INVESTIGATOR = "co_investigator", _("Co-investigator (with a budget share)")
    COLLABORATOR = "collaborator", _("Collaborator (without a budget share)")


class MemberStatus(models.TextChoices):
    INVITED = "invited", _("Awaiting an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The states in which an invitation still counts: awaiting an answer, or accepted.
LIVE_MEMBER_STATES = (MemberStatus.INVITED, MemberStatus.ACCEPTED)


class ProposalMember(models.Model):
    """A co-investigator (研究分担者) or collaborator (研究協力者), from the invitation
    to the answer: the applicant names a person (name, e-mail and/or e-Rad number),
    the person accepts in their own account, and only then is ``person`` set and
    the member part of the proposal. Only the digest of the invitation's token is
    kept: the link in the e-mail is the only copy of the token."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("co-investigator"),
        on_delete=models.PROTECT,
        related_name="proposal_memberships",
        null=True,
        blank=True,
    )
    invited_name = models.CharField(
        _("name"), max_length=200, blank=True, validators=[validate_plain_text]
    )
    invited_email = models.EmailField(_("e-mail"), blank=True)
    invited_erad_number = models.CharField(_("e-Rad researcher number"), max_length=8, blank=True)
    role = models.CharField(
        _("role"), max_length=16, choices=MemberRole.choices, default=MemberRole.CO_INVESTIGATOR
    )
    status = models.CharField(
        _("status"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.INVITED
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # NULL for the members from before invitations, who never had a link.
    token_digest = models.CharField(
        _("token digest"), max_length=64, unique=True, null=True, blank=True
    )

    class Meta:
        ordering = ["proposal", "id"]
        verbose_name = _("co-investigator")
        verbose_name_plural = _("co-investigators")
        indexes = [
            models.Index(fields=["invited_erad_number", "status"], name="member_invited_erad"),
            models.Index(fields=["invited_email", "status"], name="member_invited_email"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "person"],
                condition=Q(status="accepted"),
                name="unique_proposal_member",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(person__isnull=False),
                name="accepted_member_has_person",
            ),
        ]

    def __str__(self) -> str:
        if self.person is not None:
            return str(self.person)
        return self.invited_name or self.invited_email or self.invited_erad_number

    @property
    def display_name(self) -> str:
        if self.person is not None:
            return localized(self.person.name_ja, self.person.name_en) or self.invited_name
        return self.invited_name or self.invited_email or self.invited_erad_number


class MemberShare(models.Model):
    """A co-investigator's budget share (分担金) for one fiscal year."""

    member = models.ForeignKey(ProposalMember, on_delete=models.CASCADE, related_name="shares")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    amount_yen = models.BigIntegerField(_("amount (yen)"))

    class Meta:
        ordering = ["member", "fiscal_year"]
        verbose_name = _("budget share")
        verbose_name_plural = _("budget shares")
        constraints = [
            models.UniqueConstraint(fields=["member", "fiscal_year"], name="unique_share_year"),
            models.CheckConstraint(condition=Q(amount_yen__gte=0), name="share_not_negative"),
        ]

    def __str__(self) -> str:
        return f"FY{self.fiscal_year}: {self.amount_yen}"


class ProposalBudget(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="budget_lines")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    amount_yen = models.BigIntegerField(_("amount (yen)"))

    class Meta:
        ordering = ["fiscal_year"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "fiscal_year"], name="unique_budget_year"),
            models.CheckConstraint(condition=Q(amount_yen__gte=0), name="budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"FY{self.fiscal_year}: {self.amount_yen}"


class ProposalAttachment(models.Model):
    """The file currently attached for one of the call's documents."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    document_code = models.SlugField(_("document"), max_length=64)
    file = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(_("file name"), max_length=200)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "document_code"], name="one_file_per_document"
            )
        ]

    def __str__(self) -> str:
        return self.filename


class Endorsement(models.TextChoices):
    PENDING = "pending", _("Awaiting endorsement")
    ENDORSED = "endorsed", _("Endorsed")
    RETURNED = "returned", _("Returned")


class ProposalVersion(models.Model):
    """What was submitted, frozen: content, files (by digest) and the disclosure."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    submitted_at = models.DateTimeField(_("submitted"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100)
    content = models.JSONField(_("content"))
    disclosure = models.ForeignKey(
        "integrity.DisclosureVersion",
        verbose_name=_("disclosure"),
        on_delete=models.PROTECT,
        related_name="proposal_versions",
    )
    endorsement = models.CharField(
        _("endorsement"), max_length=16, choices=Endorsement.choices, default=Endorsement.PENDING
    )
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    endorsed_at = models.DateTimeField(_("endorsed / returned"), null=True, blank=True)
    return_comment = models.TextField(_("reason for return"), blank=True)
    # The proposal's place in its call's order of first submissions: every
    # version of one proposal keeps it, so its receipts differ only by "-vN".
    receipt_sequence = models.PositiveIntegerField(_("receipt sequence"))
    # Printed on letters and on every page of the application PDF, e.g.
    # "2026-SBIR-TEST-01-000001-v1" (fiscal year of submission, call, sequence, version).
    receipt_number = models.CharField(_("receipt number"), max_length=100, unique=True)

    class Meta:
        ordering = ["proposal", "-number"]
        verbose_name = _("submitted version")
        verbose_name_plural = _("submitted versions")
        # The lists' "latest version (endorsed, for the agency)" of each proposal.
        indexes = [
            models.Index(
                fields=["proposal", "endorsement", "-number"], name="proposalversion_list_latest"
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="unique_version_number"),
            models.UniqueConstraint(
                fields=["proposal", "idempotency_key"], name="unique_submission_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal} v{self.number}"

    @property
    def title(self) -> str:
        return localized(self.content.get("title_ja", ""), self.content.get("title_en", ""))
