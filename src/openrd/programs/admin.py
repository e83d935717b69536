"""Programs and calls are looked at in the admin, never edited there.

Programs and their elements come from the presets (data in the repository,
loaded by ``load_presets``); calls change only through their services, which
check the rules (a cap within the budget, a deadline after the opening) and
write the audit log. An edit in the admin would do neither.
"""

from django.contrib import admin

from openrd.core.admin import ReadOnlyAdmin, ReadOnlyInline
from openrd.programs.models import (
    Call,
    CallCriterion,
    CallDocument,
    Program,
    ProgramElement,
    ProgramFigure,
)


class FigureInline(ReadOnlyInline):
    model = ProgramFigure


@admin.register(Program)
class ProgramAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_ja", "name_en", "kind", "owner"]
    list_filter = ["kind"]
    search_fields = ["code", "name_ja", "name_en"]
    inlines = [FigureInline]


@admin.register(ProgramElement)
class ProgramElementAdmin(ReadOnlyAdmin):
    list_display = ["program", "kind", "code", "title_ja", "order"]
    list_filter = ["program", "kind"]
    search_fields = ["code", "title_ja", "title_en"]


class CallDocumentInline(ReadOnlyInline):
    model = CallDocument


class CallCriterionInline(ReadOnlyInline):
    model = CallCriterion


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    list_display = ["code", "title_ja", "program", "agency", "status", "opens_at", "closes_at"]
    list_filter = ["status", "program", "agency", "fiscal_year"]
    search_fields = ["code", "title_ja", "title_en"]
    inlines = [CallDocumentInline, CallCriterionInline]
