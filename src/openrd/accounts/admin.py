"""Accounts in the admin: every change is audited, some things are not editable here.

- Users (their flags, groups, permissions and roles included) may be edited;
  each save writes one audit entry with the account before and after
  (``services.record_account_change``). Accounts are deactivated, not deleted:
  the audit log refers to them.
- Affiliations are what the person declares: shown, not edited.
- Organisations are saved through ``services.upsert_organisation`` (validated,
  audited); their code, which other records and presets name, is fixed.
- API tokens are revoked through ``services.revoke_api_token``, never edited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from openrd.accounts import admin_third_party  # noqa: F401  (re-registers allauth's admins)
from openrd.accounts.admin_permissions import permissions_field
from openrd.accounts.models import Affiliation, ApiToken, Organisation, RoleAssignment, User
from openrd.accounts.services import (
    account_state,
    record_account_change,
    revoke_api_token,
    upsert_organisation,
)
from openrd.core.admin import ReadOnlyAdmin, ReadOnlyInline

_BEFORE = "_openrd_account_before"


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["organisation"]


class AffiliationInline(ReadOnlyInline):
    model = Affiliation
    fk_name = "person"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "name_ja", "name_en", "organisation", "is_active"]

    def formfield_for_manytomany(self, db_field: Any, request: Any = None, **kwargs: Any) -> Any:
        if db_field.name == "user_permissions":
            kwargs = permissions_field(db_field, **kwargs)
        return super().formfield_for_manytomany(db_field, request=request, **kwargs)

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

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The admin saves the account, then its groups and inlines (roles) in
        # save_related, all in one transaction; the entry is written after both.
        setattr(request, _BEFORE, account_state(obj.pk) if change else None)
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        record_account_change(form.instance, actor=request.user, before=getattr(request, _BEFORE))  # type: ignore[arg-type]

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        if request.method != "POST" or not id.isdigit():
            return super().user_change_password(request, id, form_url)
        with transaction.atomic():
            before = account_state(int(id))
            response = super().user_change_password(request, id, form_url)
            user = User.objects.filter(pk=int(id)).first()
            if before is not None and user is not None and response.status_code == 302:
                record_account_change(user, actor=request.user, before=before)  # type: ignore[arg-type]
        return response


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ja", "name_en", "kind", "corporate_number", "is_sme"]
    list_filter = ["kind", "is_sme", "country"]
    search_fields = ["code", "name_ja", "name_en", "name_kana", "corporate_number"]
    autocomplete_fields = ["parent"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        names = form.changed_data if change else list(form.cleaned_data)
        fields = {name: form.cleaned_data[name] for name in names if name != "code"}
        saved = upsert_organisation(code=obj.code, actor=request.user, **fields)  # type: ignore[arg-type]
        obj.pk = saved.pk


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "prefix", "scope", "created_at", "expires_at", "revoked_at"]
    list_filter = ["scope"]
    search_fields = ["name", "prefix", "user__username"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset.filter(revoked_at__isnull=True):
            revoke_api_token(token, actor=request.user)  # type: ignore[arg-type]
