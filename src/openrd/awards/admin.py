from django.contrib import admin
from django.http import HttpRequest

from openrd.awards.models import Award, AwardMember, MatchingFund


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    # An award changes state only through the services (audited): read-only here.
    list_display = ["grant_number", "title_ja", "program", "status", "starts_on", "ends_on"]
    list_filter = ["status", "program"]
    search_fields = ["grant_number", "japan_grant_number", "title_ja", "title_en", "pi_name_ja"]
    readonly_fields = ["status"]
    raw_id_fields = ["program", "element", "call", "proposal", "pi", "institution", "pm"]


class ViewOnlyAdmin(admin.ModelAdmin):
    """Members and matching funds change only through their services (audited)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AwardMember)
class AwardMemberAdmin(ViewOnlyAdmin):
    list_display = ["award", "name_ja", "role", "share_percent", "institution_name"]
    list_filter = ["role"]
    search_fields = ["award__grant_number", "name_ja", "name_en"]


@admin.register(MatchingFund)
class MatchingFundAdmin(ViewOnlyAdmin):
    list_display = ["award", "fiscal_year", "contributor", "amount_yen"]
    search_fields = ["award__grant_number", "contributor"]
