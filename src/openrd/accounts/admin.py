from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from openrd.accounts.models import Affiliation, ApiToken, Organisation, RoleAssignment, User


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["organisation"]


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    fk_name = "person"
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "name_ja", "name_en", "organisation", "is_active"]
    search_fields = [
        "username",
        "name_ja",
        "name_en",
        "name_kana",
        "erad_researcher_number",
        "orcid",
    ]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            _("Researcher profile"),
            {
                "fields": [
                    "name_ja",
                    "name_en",
                    "name_kana",
                    "erad_researcher_number",
                    "orcid",
                    "organisation",
                ]
            },
        ),
    )
    autocomplete_fields = ["organisation"]
    inlines = [RoleInline, AffiliationInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ja", "name_en", "kind", "corporate_number", "is_sme"]
    list_filter = ["kind", "is_sme", "country"]
    search_fields = ["code", "name_ja", "name_en", "name_kana", "corporate_number"]
    autocomplete_fields = ["parent"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "revoked_at"]
    readonly_fields = ["digest", "prefix", "created_at", "last_used_at"]
