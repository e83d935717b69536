"""People, organisations, affiliations and roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from openrd.core.i18n import localized
from openrd.core.validators import (
    validate_corporate_number,
    validate_country_code,
    validate_erad_researcher_number,
    validate_orcid,
    validate_plain_text,
    validate_ror,
)

# Names and titles are shown to others as they are written, so characters that
# make them read differently (bidi overrides, zero-width) are refused.
PLAIN = [validate_plain_text]


class OrganisationKind(models.TextChoices):
    CABINET_OFFICE = "cabinet_office", _("Cabinet Office / CSTI")
    MINISTRY = "ministry", _("Ministry")
    FUNDING_AGENCY = "funding_agency", _("Funding agency")
    UNIVERSITY = "university", _("University")
    NATIONAL_LAB = "national_lab", _("National research institute")
    COMPANY = "company", _("Company")
    STARTUP = "startup", _("Startup")
    MUNICIPALITY = "municipality", _("Municipality")
    OTHER = "other", _("Other")


class Role(models.TextChoices):
    RESEARCHER = "researcher", _("Researcher / applicant")
    INSTITUTION_OFFICER = "institution_officer", _("Institution officer")
    REVIEWER = "reviewer", _("Reviewer")
    PROGRAM_MANAGER = "program_manager", _("Program manager (PM)")
    PROGRAM_DIRECTOR = "program_director", _("Program director (PD)")
    AGENCY_STAFF = "agency_staff", _("Funding agency staff")
    INTEGRITY_OFFICER = "integrity_officer", _("Research integrity officer")
    MINISTRY = "ministry", _("Ministry official")
    COMMAND_TOWER_ADMIN = "command_tower_admin", _("Command tower (CSTI) administrator")
    CURATOR = "curator", _("Repository curator")


class Organisation(models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200, validators=PLAIN)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True, validators=PLAIN)
    name_kana = models.CharField(_("name (kana)"), max_length=200, blank=True, validators=PLAIN)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    corporate_number = models.CharField(
        _("corporate number (法人番号)"),
        max_length=13,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_corporate_number],
    )
    ror_id = models.CharField(_("ROR ID"), max_length=40, blank=True, validators=[validate_ror])
    # A funder's identifiers, written into every output it funded (JPCOAR
    # funderIdentifier): e-Rad's funding-agency code and the Crossref Funder ID.
    erad_funder_code = models.CharField(
        _("e-Rad funder code"), max_length=10, blank=True, default="", db_default=""
    )
    crossref_funder_id = models.CharField(
        _("Crossref Funder ID"), max_length=20, blank=True, default="", db_default=""
    )
    country = models.CharField(
        _("country (ISO 3166-1)"), max_length=2, default="JP", validators=[validate_country_code]
    )
    founded_on = models.DateField(_("founding date"), null=True, blank=True)
    is_sme = models.BooleanField(_("small or medium-sized enterprise"), null=True, blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_ja, self.name_en)

    @property
    def is_foreign(self) -> bool:
        return self.country != "JP"


class User(AbstractUser):
    """A person who signs in. Public visitors have no account."""

    name_ja = models.CharField(
        pgettext_lazy("person", "name (Japanese)"), max_length=100, blank=True, validators=PLAIN
    )
    name_en = models.CharField(
        pgettext_lazy("person", "name (English)"), max_length=100, blank=True, validators=PLAIN
    )
    name_kana = models.CharField(
        pgettext_lazy("person", "name (kana)"), max_length=100, blank=True, validators=PLAIN
    )
    erad_researcher_number = models.CharField(
        _("e-Rad researcher number"),
        max_length=8,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_erad_researcher_number],
    )
    orcid = models.CharField(
        _("ORCID iD"),
        max_length=19,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_orcid],
    )
    # True only when the iD came from ORCID itself (a signed-in link); a typed iD is a claim.
    orcid_verified = models.BooleanField(_("ORCID iD verified"), default=False)
    # eduPersonPrincipalName asserted by an institution's IdP (SAML sign-in, docs/adr/0021):
    # recorded only from a signed assertion, so it links that person's next sign-ins.
    eppn = models.CharField(
        _("eduPersonPrincipalName"), max_length=255, null=True, blank=True, unique=True
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("main organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        return localized(self.name_ja, self.name_en) or self.get_username()

    def role_codes(self) -> frozenset[str]:
        """The user's roles, read once per request object and then kept."""
        cached: frozenset[str] | None = getattr(self, "_role_codes", None)
        if cached is None:
            cached = frozenset(self.role_assignments.values_list("role", flat=True))
            self._role_codes = cached
        return cached


class RoleAssignment(models.Model):
    """A role a user holds, optionally for one organisation (an agency, a university)."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("for organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organisation"], name="unique_role_per_org"
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(organisation__isnull=True),
                name="unique_global_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class AffiliationKind(models.TextChoices):
    PRIMARY = "primary", _("Main position")
    CONCURRENT = "concurrent", _("Concurrent position (兼業・兼職)")
    VISITING = "visiting", _("Visiting / guest position")
    ADVISORY = "advisory", _("Advisory or board position")


class Affiliation(models.Model):
    """A position a person holds; concurrent, foreign and unpaid ones included,
    because research-integrity disclosure asks for all of them."""

    person = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="affiliations"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="affiliations",
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=AffiliationKind.choices, default=AffiliationKind.PRIMARY
    )
    title_ja = models.CharField(
        _("position (Japanese)"), max_length=200, blank=True, validators=PLAIN
    )
    title_en = models.CharField(
        _("position (English)"), max_length=200, blank=True, validators=PLAIN
    )
    is_paid = models.BooleanField(_("paid"), default=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)

    class Meta:
        ordering = ["person", "-start_date"]
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="affiliation_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.organisation}"

    @property
    def title(self) -> str:
        return localized(self.title_ja, self.title_en)

    @property
    def is_foreign(self) -> bool:
        return self.organisation.is_foreign


class TokenScope(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 digest is stored.

    A read-scope token is refused for any request that changes data; no token
    can manage tokens (that takes a signed-in session, see docs/adr/0014).
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, validators=PLAIN)
    # Tokens issued before scopes existed could do everything, so "write" is the default.
    scope = models.CharField(
        _("scope"), max_length=8, choices=TokenScope.choices, default=TokenScope.WRITE
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_write(self) -> bool:
        return self.scope == TokenScope.WRITE


class ConsumedSAMLAssertion(models.Model):
    """A SAML assertion already used to sign in, kept until it expires anyway.

    A captured response posted again must not sign anyone in (docs/adr/0021).
    The unique pair makes the check hold across processes: the second insert fails.
    """

    idp = models.CharField(_("identity provider"), max_length=255)
    assertion_id = models.CharField(_("assertion ID"), max_length=255)
    not_on_or_after = models.DateTimeField(_("valid until"))
    consumed_at = models.DateTimeField(_("used at"), auto_now_add=True)

    class Meta:
        verbose_name = _("used SAML assertion")
        verbose_name_plural = _("used SAML assertions")
        constraints = [
            models.UniqueConstraint(fields=["idp", "assertion_id"], name="unique_saml_assertion")
        ]

    def __str__(self) -> str:
        return self.assertion_id
