"""Proposals: a working copy the applicant edits, and immutable submitted versions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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
        _("title (Japanese)"), max_length=300, blank=True, validators=[validate_plain_text]
    )
    title_en = models.CharField(
        _("title (English)"), max_length=300, blank=True, validators=[validate_plain_text]
    )
    abstract_ja = models.TextField(_("abstract (Japanese)"), max_length=4000, blank=True)
    abstract_en = models.TextField(_("abstract (English)"), max_length=4000, blank=True)
    effort_percent = models.PositiveSmallIntegerField(_("effort (%)"), null=True, blank=True)
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


class ProposalMember(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("co-investigator"),
        on_delete=models.PROTECT,
        related_name="proposal_memberships",
    )

    class Meta:
        verbose_name = _("co-investigator")
        verbose_name_plural = _("co-investigators")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "person"], name="unique_proposal_member")
        ]

    def __str__(self) -> str:
        return str(self.person)


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
