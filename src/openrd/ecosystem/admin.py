"""Companies in the admin: read-only, since facts come only through
``services.record_fact`` (checked, audited) and assessments only from the rules."""

from django.contrib import admin

from openrd.core.admin import ReadOnlyAdmin, ReadOnlyInline
from openrd.ecosystem.models import Company, CompanyFact, EligibilityAssessment


class FactInline(ReadOnlyInline):
    model = CompanyFact
    fields = ["kind", "value", "as_of", "source", "source_ref", "entered_by"]


class AssessmentInline(ReadOnlyInline):
    model = EligibilityAssessment
    fields = ["rule", "version", "status", "small", "on", "assessed_at", "current"]


@admin.register(Company)
class CompanyAdmin(ReadOnlyAdmin):
    list_display = ["corporate_number", "name_ja", "prefecture", "status"]
    list_filter = ["status", "prefecture"]
    search_fields = ["corporate_number", "name_ja", "name_kana", "name_en"]
    inlines = [FactInline, AssessmentInline]
