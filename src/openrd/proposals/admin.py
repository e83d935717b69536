from django.contrib import admin

from openrd.core.admin import ReadOnlyAdmin
from openrd.proposals.models import Proposal, ProposalVersion


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ["id", "title_ja", "call", "applicant", "institution", "status", "updated_at"]
    list_filter = ["status", "call__program"]
    search_fields = ["title_ja", "title_en", "applicant__username"]


@admin.register(ProposalVersion)
class ProposalVersionAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "number", "submitted_at", "endorsement", "endorsed_at"]
    list_filter = ["endorsement"]
