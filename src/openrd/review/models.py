"""The reviewer pool, review rounds, assignments with their stored conflicts, and reviews."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from openrd.core.i18n import localized


class ReviewerProfile(models.Model):
    """A person in the reviewer pool (審査委員候補者): what they are expert in and how
    many proposals they take in one round at most."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="reviewer_profile",
    )
    research_fields = models.JSONField(_("research fields"), default=list, blank=True)
    keywords = models.JSONField(_("expertise keywords"), default=list, blank=True)
    max_load = models.PositiveSmallIntegerField(_("proposals per round at most"), default=10)
    is_active = models.BooleanField(_("active"), default=True)
    # The fields and keywords in the form the pool's search compares (written by
    # ``services.save_reviewer``): a JSON list cannot be searched alike on every
    # database, since SQLite keeps non-ASCII text in it escaped.
    search_text = models.TextField(_("search text"), blank=True, editable=False, default="")
    created_at = models.DateTimeField(_("added to the pool"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["person"]
        verbose_name = _("reviewer")
        verbose_name_plural = _("reviewer pool")

    def __str__(self) -> str:
        return str(self.person)


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    OPEN = "open", _("Reviewing")
    CLOSED = "closed", _("Reviews closed")


class ReviewRound(models.Model):
    """One review stage of a call (書面審査, 面接審査…): K reviewers per endorsed
    proposal, the conflict window of the program, a due date."""

    call = models.ForeignKey(
        "programs.Call", verbose_name=_("call"), on_delete=models.PROTECT, related_name="rounds"
    )
    stage = models.SlugField(_("stage"), max_length=32, default="document")
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    reviewers_per_proposal = models.PositiveSmallIntegerField(
        _("reviewers per proposal"), default=3
    )
    # N of "the same institution now or within the last N years" (per program).
    institution_years = models.PositiveSmallIntegerField(
        _("years an earlier affiliation counts"), default=3
    )
    due_at = models.DateTimeField(_("reviews due"))
    # Whether the applicants are sent the reviewers' comments (never their names)
    # with the decision, as the program's rules allow.
    share_comments = models.BooleanField(_("send the review comments to applicants"), default=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["call", "id"]
        verbose_name = _("review round")
        verbose_name_plural = _("review rounds")
        constraints = [
            models.UniqueConstraint(fields=["call", "stage"], name="one_round_per_call_stage"),
            models.CheckConstraint(
                condition=Q(reviewers_per_proposal__gte=1), name="round_needs_a_reviewer"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_ja, self.name_en)


class AssignmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", pgettext_lazy("review assignment", "Accepted")
    DECLINED = "declined", _("Declined")
    REMOVED = "removed", _("Removed")
    SUBMITTED = "submitted", _("Review submitted")


# The states in which an assignment holds one of the proposal's review slots.
LIVE_ASSIGNMENT_STATES = (
    AssignmentStatus.PROPOSED,
    AssignmentStatus.INVITED,
    AssignmentStatus.ACCEPTED,
    AssignmentStatus.SUBMITTED,
)


class ReviewAssignment(models.Model):
    """A reviewer asked to review one proposal in one round, from the proposal of
    the assignment to the submitted review. ``is_manual``: set by agency staff
    (kept when the automatic assignment runs again)."""

    round = models.ForeignKey(
        ReviewRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="assignments"
    )
    proposal = models.ForeignKey(
        "proposals.Proposal",
        verbose_name=_("proposal"),
        on_delete=models.PROTECT,
        related_name="review_assignments",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="review_assignments",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.PROPOSED,
    )
    match = models.PositiveIntegerField(_("expertise match"), default=0)
    is_manual = models.BooleanField(_("assigned by hand"), default=False)
    invited_at = models.DateTimeField(_("asked"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=500, blank=True)
    no_conflict_confirmed_at = models.DateTimeField(
        _("no conflict confirmed"), null=True, blank=True
    )
    confidentiality_accepted_at = models.DateTimeField(
        _("confidentiality accepted"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["round", "proposal", "id"]
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        indexes = [
            models.Index(fields=["reviewer", "status"], name="assignment_reviewer_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "proposal", "reviewer"], name="one_assignment_per_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.proposal_id}"

    @property
    def title(self) -> str:
        """The title of the version under review (the endorsed one), not the draft's."""
        p = self.proposal
        return localized(p.endorsed_title_ja, p.endorsed_title_en) or p.title


class ReviewConflict(models.Model):
    """A conflict of interest found between a reviewer and a proposal of a round,
    kept with its grounds: the rule's code and source, the facts it rests on, and
    the explanation in both languages as it was when computed."""

    round = models.ForeignKey(
        ReviewRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="conflicts"
    )
    proposal = models.ForeignKey(
        "proposals.Proposal", verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.CASCADE,
        related_name="review_conflicts",
    )
    code = models.CharField(_("code"), max_length=64)
    source = models.CharField(_("source"), max_length=300)
    evidence = models.JSONField(_("evidence"), default=dict)
    message_ja = models.TextField(_("explanation (Japanese)"))
    message_en = models.TextField(_("explanation (English)"))
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        ordering = ["round", "proposal", "reviewer", "id"]
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        indexes = [
            models.Index(fields=["round", "reviewer", "proposal"], name="conflict_round_pair"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def message(self) -> str:
        return localized(self.message_ja, self.message_en)


class Review(models.Model):
    """The scores and comments of one assignment: a draft until submitted."""

    assignment = models.OneToOneField(
        ReviewAssignment,
        verbose_name=_("assignment"),
        on_delete=models.PROTECT,
        related_name="review",
    )
    scores = models.JSONField(_("scores"), default=dict)
    comment = models.TextField(_("comment to the applicant"), blank=True)
    panel_comment = models.TextField(_("comment to the panel"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.assignment}"


class SelectionOutcome(models.TextChoices):
    UNDECIDED = "undecided", _("Not decided yet")
    SELECTED = "selected", _("Selected")
    WAITLISTED = "waitlisted", _("Waitlisted")
    REJECTED = "rejected", _("Not selected")


class Selection(models.Model):
    """The agency's decision on one proposal after a round (採択・不採択・補欠), with
    its reason; a waitlisted proposal is later selected or not. The applicant is told
    with the reviewers' comments, without their names, where the round shares them."""

    round = models.ForeignKey(
        ReviewRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="selections"
    )
    proposal = models.ForeignKey(
        "proposals.Proposal",
        verbose_name=_("proposal"),
        on_delete=models.PROTECT,
        related_name="selections",
    )
    status = models.CharField(
        _("decision"),
        max_length=16,
        choices=SelectionOutcome.choices,
        default=SelectionOutcome.UNDECIDED,
    )
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["round", "proposal"]
        verbose_name = _("selection decision")
        verbose_name_plural = _("selection decisions")
        constraints = [
            models.UniqueConstraint(fields=["round", "proposal"], name="one_selection_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.status}"
