"""Research outputs (articles, datasets, others) linked to awards, their files and
the repository's own records: deposits, embargoes, tombstones, APC payments,
access requests and usage.

One row is one version of an output. Versions of the same work share a
``concept_id`` (the first version's id), so a concept identifier always resolves
to the latest published version, as a concept DOI does. A withdrawn output keeps
its row: its landing page becomes a tombstone and OAI-PMH reports it deleted.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from openrd.core.i18n import localized
from openrd.core.validators import (
    validate_doi,
    validate_erad_researcher_number,
    validate_orcid,
)


class OutputKind(models.TextChoices):
    ARTICLE = "article", _("Journal article")
    DATASET = "dataset", _("Dataset")
    OTHER = "other", _("Other output")


class DepositStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("deposit", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("deposit", "Submitted for curation")
    CURATED = "curated", pgettext_lazy("deposit", "Curated")
    PUBLISHED = "published", pgettext_lazy("deposit", "Published")
    WITHDRAWN = "withdrawn", pgettext_lazy("deposit", "Withdrawn")


class AccessRights(models.TextChoices):
    """The COAR access rights vocabulary (http://purl.org/coar/access_right/)."""

    OPEN = "open", _("Open access")
    EMBARGOED = "embargoed", _("Embargoed access")
    RESTRICTED = "restricted", _("Restricted access")
    METADATA_ONLY = "metadata_only", _("Metadata only access")


class TextVersion(models.TextChoices):
    """The COAR version types (http://purl.org/coar/version/) a repository sees."""

    AO = "AO", _("Author's original")
    SMUR = "SMUR", _("Submitted manuscript under review")
    AM = "AM", _("Accepted manuscript (author's final version)")
    P = "P", _("Proof")
    VOR = "VoR", _("Version of record")
    NA = "NA", _("Not applicable")


class EmbargoReason(models.TextChoices):
    PUBLISHER = "publisher", _("The publisher's embargo")
    PATENT = "patent", _("A patent application")
    PERSONAL_DATA = "personal_data", _("Personal or sensitive data still being prepared")
    OTHER = "other", _("Other reason")


class Output(models.Model):
    """One version of a research output, as deposited and curated here."""

    concept_id = models.PositiveBigIntegerField(_("concept"), null=True, blank=True)
    version_number = models.PositiveIntegerField(_("version"), default=1)
    is_latest = models.BooleanField(_("latest version"), default=True)
    award = models.ForeignKey(
        "awards.Award",
        verbose_name=_("award"),
        on_delete=models.PROTECT,
        related_name="outputs",
    )
    # Further awards the output acknowledges (JPCOAR fundingReference, repeated).
    other_awards = models.ManyToManyField(
        "awards.Award", verbose_name=_("also funded by"), related_name="acknowledged_in", blank=True
    )
    # Copied from the award on creation: the sets, the lists and the compliance
    # roll-ups are then one index range of this table.
    program = models.ForeignKey(
        "programs.Program", verbose_name=_("program"), on_delete=models.PROTECT, related_name="+"
    )
    funder = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("funder"),
        on_delete=models.PROTECT,
        related_name="funded_outputs",
        null=True,
        blank=True,
    )
    institution = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("repository institution"),
        on_delete=models.PROTECT,
        related_name="outputs",
    )
    deposited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deposited by"),
        on_delete=models.PROTECT,
        related_name="deposits",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=16, choices=OutputKind.choices)
    # A key of openrd.repository.vocabularies.RESOURCE_TYPES (COAR resource types).
    resource_type = models.CharField(_("resource type"), max_length=40)
    title_ja = models.CharField(_("title (Japanese)"), max_length=500, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    abstract_ja = models.TextField(_("abstract (Japanese)"), blank=True)
    abstract_en = models.TextField(_("abstract (English)"), blank=True)
    language = models.CharField(_("language"), max_length=3, default="jpn")
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    doi = models.CharField(
        _("DOI"), max_length=200, blank=True, db_index=True, validators=[validate_doi]
    )
    journal_title = models.CharField(_("journal"), max_length=300, blank=True)
    issn = models.CharField(_("ISSN"), max_length=9, blank=True)
    volume = models.CharField(_("volume"), max_length=20, blank=True)
    issue = models.CharField(_("issue"), max_length=20, blank=True)
    page_start = models.CharField(_("first page"), max_length=20, blank=True)
    page_end = models.CharField(_("last page"), max_length=20, blank=True)
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    accepted_on = models.DateField(_("accepted"), null=True, blank=True)
    published_on = models.DateField(_("published (by the journal)"), null=True, blank=True)
    peer_reviewed = models.BooleanField(_("peer reviewed"), default=False)
    text_version = models.CharField(
        _("text version"), max_length=4, choices=TextVersion.choices, default=TextVersion.AM
    )
    licence = models.CharField(_("licence"), max_length=40, blank=True)
    access_rights = models.CharField(
        _("access rights"), max_length=16, choices=AccessRights.choices, default=AccessRights.OPEN
    )
    embargo_until = models.DateField(_("embargo until"), null=True, blank=True)
    embargo_reason = models.CharField(
        _("embargo reason"), max_length=16, choices=EmbargoReason.choices, blank=True
    )
    # Immediate OA impossible: the reason reported (a code of the policy's list).
    oa_exception = models.CharField(
        _("reason immediate OA is not possible"), max_length=32, blank=True
    )
    oa_exception_note = models.TextField(_("details"), blank=True)
    oa_exception_reported_on = models.DateField(_("reported"), null=True, blank=True)
    # The article's version of record is open at the publisher (gold OA, APC paid).
    gold_oa = models.BooleanField(_("open at the publisher (gold OA)"), default=False)
    # The output is the back data of this mandated article.
    supports = models.ForeignKey(
        "self",
        verbose_name=_("back data of"),
        on_delete=models.SET_NULL,
        related_name="supporting_data",
        null=True,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=DepositStatus.choices, default=DepositStatus.DRAFT
    )
    curator_note = models.TextField(_("curator's note"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published here"), null=True, blank=True)
    # When the full text became open here (publication of an open record, or
    # the embargo's lift): the compliance tracker's "opened on".
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    # Changes whenever what harvesters see changes (OAI-PMH datestamp).
    datestamp = models.DateTimeField(_("metadata changed"), null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The mandate's verdict on this version, kept by ``compliance_store`` so that
    # counts over millions of outputs are SQL: blank until judged; a "pending"
    # with a due date reads as late from the day after it.
    compliance_status = models.CharField(
        _("OA compliance"), max_length=16, blank=True, default="", editable=False
    )
    compliance_due_on = models.DateField(_("OA due"), null=True, blank=True, editable=False)
    # The fiscal year the output counts in: the journal's publication, else its creation here.
    compliance_fiscal_year = models.PositiveSmallIntegerField(null=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("research output")
        verbose_name_plural = _("research outputs")
        indexes = [
            # OAI-PMH: the public records in datestamp order, whole or by set.
            models.Index(
                fields=["datestamp", "id"],
                name="output_oai",
                condition=Q(published_at__isnull=False),
            ),
            models.Index(
                fields=["institution", "datestamp", "id"],
                name="output_oai_institution",
                condition=Q(published_at__isnull=False),
            ),
            models.Index(
                fields=["program", "datestamp", "id"],
                name="output_oai_program",
                condition=Q(published_at__isnull=False),
            ),
            models.Index(
                fields=["resource_type", "datestamp", "id"],
                name="output_oai_type",
                condition=Q(published_at__isnull=False),
            ),
            models.Index(fields=["award", "status"], name="output_award_status"),
            models.Index(fields=["institution", "status"], name="output_institution_status"),
            models.Index(fields=["concept_id", "version_number"], name="output_concept"),
            # The OA share per fiscal year, whole and per program (counted versions only).
            # With the deposit status, so that counting reads the index alone.
            models.Index(
                fields=["compliance_fiscal_year", "compliance_status", "status"],
                name="output_compliance_fy",
                condition=Q(is_latest=True),
            ),
            models.Index(
                fields=["program", "compliance_fiscal_year", "compliance_status", "status"],
                name="output_compliance_program",
                condition=Q(is_latest=True),
            ),
            # The published outputs a year's OA share counts, in its drill-down's order.
            models.Index(
                fields=["compliance_fiscal_year", "id"],
                name="output_compliance_public",
                condition=Q(is_latest=True, status="published"),
            ),
            models.Index(fields=["id"], name="output_unjudged", condition=Q(compliance_status="")),
            models.Index(
                fields=["embargo_until"],
                name="output_embargo_due",
                condition=Q(access_rights="embargoed", status="published"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(access_rights="embargoed") | Q(embargo_until__isnull=False),
                name="output_embargo_has_date",
            ),
            models.UniqueConstraint(
                fields=["concept_id", "version_number"], name="output_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"output {self.pk}"

    @property
    def title(self) -> str:
        return localized(self.title_ja, self.title_en)

    @property
    def abstract(self) -> str:
        return localized(self.abstract_ja, self.abstract_en)

    @property
    def is_public(self) -> bool:
        return self.status == DepositStatus.PUBLISHED

    @property
    def is_tombstone(self) -> bool:
        return self.status == DepositStatus.WITHDRAWN and self.published_at is not None


class CreatorRole(models.TextChoices):
    AUTHOR = "author", _("Author")
    DATA_COLLECTOR = "data_collector", _("Data collector")
    CONTACT = "contact", _("Contact person")


class OutputCreator(models.Model):
    """An author of an output, as written on it, with the identifiers that make
    the person findable: e-Rad researcher number, ORCID iD, the affiliation's ROR."""

    output = models.ForeignKey(Output, on_delete=models.CASCADE, related_name="creators")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        related_name="authored_outputs",
        null=True,
        blank=True,
    )
    role = models.CharField(
        _("role"), max_length=16, choices=CreatorRole.choices, default=CreatorRole.AUTHOR
    )
    family_name_ja = models.CharField(_("family name (Japanese)"), max_length=100, blank=True)
    given_name_ja = models.CharField(_("given name (Japanese)"), max_length=100, blank=True)
    family_name_en = models.CharField(_("family name (English)"), max_length=100, blank=True)
    given_name_en = models.CharField(_("given name (English)"), max_length=100, blank=True)
    name_kana = models.CharField(_("name (kana)"), max_length=200, blank=True)
    erad_researcher_number = models.CharField(
        _("e-Rad researcher number"),
        max_length=8,
        blank=True,
        validators=[validate_erad_researcher_number],
    )
    orcid = models.CharField(_("ORCID iD"), max_length=19, blank=True, validators=[validate_orcid])
    affiliation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("affiliation"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    affiliation_name_ja = models.CharField(_("affiliation (Japanese)"), max_length=200, blank=True)
    affiliation_name_en = models.CharField(_("affiliation (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["output", "order", "id"]
        verbose_name = _("creator")
        verbose_name_plural = _("creators")

    def __str__(self) -> str:
        return self.name

    @property
    def name_ja(self) -> str:
        return " ".join(p for p in (self.family_name_ja, self.given_name_ja) if p)

    @property
    def name_en(self) -> str:
        return " ".join(p for p in (self.given_name_en, self.family_name_en) if p)

    @property
    def name(self) -> str:
        return localized(self.name_ja, self.name_en)


class FileAccess(models.TextChoices):
    OPEN = "open", _("Open")
    EMBARGOED = "embargoed", _("Embargoed")
    RESTRICTED = "restricted", _("Restricted")


class OutputFile(models.Model):
    """A file of an output. Its bytes are a content-addressed ``core.StoredFile``;
    who may download it is decided here and by the output, never by the bytes."""

    output = models.ForeignKey(Output, on_delete=models.CASCADE, related_name="files")
    stored = models.ForeignKey(
        "core.StoredFile", verbose_name=_("content"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("file name"), max_length=255)
    label = models.CharField(_("label"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    access = models.CharField(
        _("access"), max_length=16, choices=FileAccess.choices, default=FileAccess.OPEN
    )
    text_version = models.CharField(
        _("text version"), max_length=4, choices=TextVersion.choices, blank=True
    )
    # Unguessable, so a link to a restricted file reveals nothing by its number.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["output", "order", "id"]
        verbose_name = _("output file")
        verbose_name_plural = _("output files")
        constraints = [
            models.UniqueConstraint(fields=["output", "name"], name="output_file_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class FixityCheck(models.Model):
    """One check of a stored file's bytes against its SHA-256 (and size)."""

    stored = models.ForeignKey(
        "core.StoredFile", on_delete=models.CASCADE, related_name="fixity_checks"
    )
    checked_at = models.DateTimeField(_("checked"))
    ok = models.BooleanField(_("intact"))
    problem = models.CharField(_("problem"), max_length=200, blank=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = _("fixity check")
        verbose_name_plural = _("fixity checks")
        indexes = [models.Index(fields=["stored", "-checked_at"], name="fixity_latest")]

    def __str__(self) -> str:
        return f"{self.stored_id} {'ok' if self.ok else self.problem}"


class UploadSession(models.Model):
    """A resumable upload (tus 1.0): the bytes received so far live in a
    temporary file; ``offset`` says how many, so a client can resume."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="upload_sessions"
    )
    output = models.ForeignKey(
        Output, on_delete=models.CASCADE, related_name="upload_sessions", null=True, blank=True
    )
    length = models.PositiveBigIntegerField(_("length (bytes)"))
    offset = models.PositiveBigIntegerField(_("received (bytes)"), default=0)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    completed_file = models.ForeignKey(
        OutputFile, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")

    def __str__(self) -> str:
        return f"{self.key} {self.offset}/{self.length}"


class ApcPayer(models.TextChoices):
    INSTITUTION = "institution", _("The institution")
    AWARD = "award", _("The award (research funds)")
    AUTHOR = "author", _("The author")
    FUNDER = "funder", _("The funder's APC support")
    AGREEMENT = "agreement", _("Covered by an agreement")


class AgreementType(models.TextChoices):
    NONE = "none", _("No agreement")
    TRANSFORMATIVE = "transformative", _("Transformative agreement")
    READ_AND_PUBLISH = "read_publish", _("Read and publish")
    DISCOUNT = "discount", _("Publisher discount")


class ApcPayment(models.Model):
    """An article processing charge paid for an output (gold OA)."""

    output = models.ForeignKey(Output, on_delete=models.PROTECT, related_name="apc_payments")
    institution = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="apc_payments"
    )
    amount_yen = models.BigIntegerField(_("amount (yen)"))
    paid_on = models.DateField(_("paid on"))
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    payer = models.CharField(_("paid by"), max_length=16, choices=ApcPayer.choices)
    funding_award = models.ForeignKey(
        "awards.Award",
        verbose_name=_("paid from the award"),
        on_delete=models.PROTECT,
        related_name="apc_payments",
        null=True,
        blank=True,
    )
    funding_source = models.CharField(_("funding source"), max_length=200, blank=True)
    agreement = models.CharField(
        _("agreement"), max_length=16, choices=AgreementType.choices, default=AgreementType.NONE
    )
    invoice_reference = models.CharField(_("invoice reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-paid_on", "-id"]
        verbose_name = _("APC payment")
        verbose_name_plural = _("APC payments")
        indexes = [models.Index(fields=["institution", "fiscal_year"], name="apc_institution_fy")]
        constraints = [
            models.CheckConstraint(condition=Q(amount_yen__gt=0), name="apc_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.output_id} ¥{self.amount_yen}"


class AccessRequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class AccessRequest(models.Model):
    """A signed-in person asks for a restricted file; a curator grants (for a
    time, to that person's account only) or refuses."""

    file = models.ForeignKey(OutputFile, on_delete=models.CASCADE, related_name="access_requests")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="access_requests",
        null=True,
        blank=True,
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email address"))
    purpose = models.TextField(_("purpose of use"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AccessRequestStatus.choices,
        default=AccessRequestStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("note to the requester"), blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")

    def __str__(self) -> str:
        return f"{self.file_id} {self.email}"


class PublisherPolicy(models.Model):
    """A journal's self-archiving policy as recorded by curators (the kind of
    entry Sherpa Romeo or the JPCOAR list keeps): the deposit form's hint."""

    issn = models.CharField(_("ISSN"), max_length=9, unique=True)
    journal_title = models.CharField(_("journal"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    am_allowed = models.BooleanField(_("accepted manuscript may be deposited"))
    am_embargo_months = models.PositiveSmallIntegerField(_("embargo (months)"), default=0)
    licence = models.CharField(_("licence required"), max_length=40, blank=True)
    source_url = models.URLField(_("source"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["journal_title"]
        verbose_name = _("publisher policy")
        verbose_name_plural = _("publisher policies")

    def __str__(self) -> str:
        return f"{self.journal_title} ({self.issn})"


class UsageMetric(models.TextChoices):
    """COUNTER Release 5 item metrics."""

    TOTAL_INVESTIGATIONS = "total_item_investigations", "Total_Item_Investigations"
    UNIQUE_INVESTIGATIONS = "unique_item_investigations", "Unique_Item_Investigations"
    TOTAL_REQUESTS = "total_item_requests", "Total_Item_Requests"
    UNIQUE_REQUESTS = "unique_item_requests", "Unique_Item_Requests"


class UsageEvent(models.Model):
    """One view of a landing page (an investigation) or one download (a
    request), kept until it is counted; robots are already filtered out."""

    output = models.ForeignKey(Output, on_delete=models.CASCADE, related_name="usage_events")
    file = models.ForeignKey(
        OutputFile, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    is_request = models.BooleanField(default=False)
    at = models.DateTimeField(db_index=True)
    # A digest of (client address, user agent, hour): COUNTER's user-session,
    # without keeping either value.
    session = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("usage event")
        verbose_name_plural = _("usage events")
        indexes = [models.Index(fields=["output", "at"], name="usage_output_at")]

    def __str__(self) -> str:
        return f"{self.output_id} {self.at:%Y-%m-%d}"


class UsageMonth(models.Model):
    """An output's COUNTER counts for one month, after double-click filtering."""

    output = models.ForeignKey(Output, on_delete=models.CASCADE, related_name="usage_months")
    month = models.DateField(_("month"))  # the first day of the month
    metric = models.CharField(max_length=32, choices=UsageMetric.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["output", "month", "metric"]
        verbose_name = _("usage count")
        verbose_name_plural = _("usage counts")
        constraints = [
            models.UniqueConstraint(
                fields=["output", "month", "metric"], name="usage_month_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.output_id} {self.month:%Y-%m} {self.metric}={self.count}"


class RenderedRecord(models.Model):
    """A record's OAI-PMH ``<metadata>`` as last written for one site.

    ListRecords serves these bytes instead of building every record anew: a
    full harvest reads a million of them (DSpace's OAI module keeps its
    compiled items the same way). A row is good while its ``datestamp`` is the
    output's and its ``version`` that of the format writers; any change a
    harvester should see gives the output a new datestamp, so a stale row is
    never served (``oai.rendered``)."""

    output = models.ForeignKey(Output, on_delete=models.CASCADE, related_name="+")
    prefix = models.CharField(max_length=32)
    # The root URL and the language the record's links were built for.
    site = models.CharField(max_length=300)
    datestamp = models.DateTimeField()
    version = models.PositiveIntegerField()
    xml = models.BinaryField()

    class Meta:
        verbose_name = _("rendered harvest record")
        verbose_name_plural = _("rendered harvest records")
        constraints = [
            models.UniqueConstraint(
                fields=["output", "prefix", "site"], name="rendered_record_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.output_id} {self.prefix}"
