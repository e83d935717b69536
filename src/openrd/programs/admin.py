from django.contrib import admin

from openrd.programs.models import Program, ProgramElement, ProgramFigure


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
