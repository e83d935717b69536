from django.contrib import admin

from openrd.awards.models import Award


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    # An award changes state only through the services (audited): read-only here.
    list_display = ["grant_number", "title_ja", "program", "status", "starts_on", "ends_on"]
    list_filter = ["status", "program"]
    search_fields = ["grant_number", "japan_grant_number", "title_ja", "title_en", "pi_name_ja"]
    readonly_fields = ["status"]
    raw_id_fields = ["program", "element", "call", "proposal", "pi", "institution", "pm"]
