from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from openrd.core import audit
from openrd.core.admin import ReadOnlyAdmin, ReadOnlyInline
from openrd.repository.models import (
    AccessRequest,
    ApcPayment,
    FixityCheck,
    Output,
    OutputCreator,
    OutputFile,
    PublisherPolicy,
)


class CreatorInline(ReadOnlyInline):
    model = OutputCreator
    fields = ["order", "family_name_ja", "given_name_ja", "family_name_en", "orcid"]


class FileInline(ReadOnlyInline):
    model = OutputFile
    fields = ["name", "access", "text_version", "stored"]


@admin.register(Output)
class OutputAdmin(ReadOnlyAdmin):
    # Deposits change only through the services (the workflow, audited).
    list_display = ["pk", "title_ja", "kind", "status", "access_rights", "institution"]
    list_filter = ["status", "kind", "access_rights"]
    search_fields = ["title_ja", "title_en", "doi", "award__grant_number"]
    inlines = [CreatorInline, FileInline]


@admin.register(ApcPayment)
class ApcPaymentAdmin(ReadOnlyAdmin):
    list_display = ["output", "institution", "fiscal_year", "amount_yen", "payer", "agreement"]
    list_filter = ["fiscal_year", "payer", "agreement"]


@admin.register(AccessRequest)
class AccessRequestAdmin(ReadOnlyAdmin):
    list_display = ["file", "name", "status", "created_at", "expires_at"]
    list_filter = ["status"]


@admin.register(FixityCheck)
class FixityCheckAdmin(ReadOnlyAdmin):
    list_display = ["stored", "checked_at", "ok", "problem"]
    list_filter = ["ok"]


@admin.register(PublisherPolicy)
class PublisherPolicyAdmin(admin.ModelAdmin):
    """Journals' self-archiving policies, kept by the library: the deposit form's
    hint reads them. Each change is audited."""

    list_display = ["journal_title", "issn", "am_allowed", "am_embargo_months", "licence"]
    search_fields = ["journal_title", "issn", "publisher"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = audit.snapshot(PublisherPolicy.objects.filter(pk=obj.pk).first())
        super().save_model(request, obj, form, change)
        audit.record(
            "repository.publisher_policy.saved",
            actor=request.user,
            obj=obj,
            before=before,
            after=audit.snapshot(obj),
            request=request,
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before = audit.snapshot(obj)
        super().delete_model(request, obj)
        audit.record(
            "repository.publisher_policy.deleted",
            actor=request.user,
            object_type="repository.publisherpolicy",
            object_id=str(before.get("issn")),
            before=before,
            request=request,
        )
