from django.contrib import admin

from openrd.programs.models import (
    Call,
    CallCriterion,
    CallDocument,
    Program,
    ProgramElement,
    ProgramFigure,
)


class FigureInline(admin.TabularInline):
    model = ProgramFigure
    extra = 0


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ja", "name_en", "kind", "owner"]
    list_filter = ["kind"]
    search_fields = ["code", "name_ja", "name_en"]
    filter_horizontal = ["agencies"]
    readonly_fields = ["preset_digest", "updated_at"]
    inlines = [FigureInline]


@admin.register(ProgramElement)
class ProgramElementAdmin(admin.ModelAdmin):
    list_display = ["program", "kind", "code", "title_ja", "order"]
    list_filter = ["program", "kind"]
    search_fields = ["code", "title_ja", "title_en"]
    raw_id_fields = ["parent"]


class CallDocumentInline(admin.TabularInline):
    model = CallDocument
    extra = 0


class CallCriterionInline(admin.TabularInline):
    model = CallCriterion
    extra = 0


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    """Read-mostly: calls change state only through the services (open, close),
    which check the transition and write the audit log."""

    list_display = ["code", "title_ja", "program", "agency", "status", "opens_at", "closes_at"]
    list_filter = ["status", "program", "agency", "fiscal_year"]
    search_fields = ["code", "title_ja", "title_en"]
    readonly_fields = ["status", "created_at", "updated_at"]
    raw_id_fields = ["topic"]
    inlines = [CallDocumentInline, CallCriterionInline]
