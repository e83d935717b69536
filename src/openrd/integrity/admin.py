from django.contrib import admin

from openrd.core.admin import ReadOnlyAdmin
from openrd.integrity.models import DisclosureVersion


@admin.register(DisclosureVersion)
class DisclosureVersionAdmin(ReadOnlyAdmin):
    """Read-only: versions are evidence and change only through the services."""

    list_display = ["person", "number", "created_at", "created_by", "pledged_at"]
    list_filter = ["pledged_at"]
    search_fields = ["person__username", "person__name_ja", "person__name_en"]
    readonly_fields = [
        "person", "number", "created_at", "created_by", "fundings", "positions", "pledged_at",
        "pledge_text_version",
    ]  # fmt: skip
