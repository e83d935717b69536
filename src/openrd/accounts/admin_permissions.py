"""Permissions named in the page's language in the admin's group and user forms.

Django stores a permission's name in English when the migration creates it
("Can add proposal") and shows that string; the label here is built when the
form is drawn from the app's and the model's translated names and the action.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group, Permission
from django.db.models import ManyToManyField
from django.http import HttpRequest
from django.utils.translation import gettext, pgettext_lazy

ACTIONS = {
    "add": pgettext_lazy("permission", "add"),
    "change": pgettext_lazy("permission", "change"),
    "delete": pgettext_lazy("permission", "delete"),
    "view": pgettext_lazy("permission", "view"),
}


def permission_label(permission: Permission) -> str:
    """ "提案 ｜ 提案：追加" — the app, the model, the action (or the permission's own
    name, translated where the catalog has it, for a custom one)."""
    ct = permission.content_type
    model = apps.get_model(ct.app_label, ct.model) if ct.model_class() else None
    app_name = apps.get_app_config(ct.app_label).verbose_name if model else ct.app_label
    # Third-party models are named in core.third_party_apps, like ours.
    model_name = model._meta.verbose_name if model else ct.model
    action, _sep, rest = permission.codename.partition("_")
    if model is not None and action in ACTIONS and rest == model._meta.model_name:
        what = str(ACTIONS[action])
    else:
        what = gettext(permission.name)
    # Japanese takes full-width separators, English plain ones.
    return gettext("%(app)s | %(model)s: %(action)s") % {
        "app": app_name,
        "model": model_name,
        "action": what,
    }


class PermissionChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return permission_label(obj)


def permissions_field(db_field: ManyToManyField[Any, Any], **kwargs: Any) -> Any:
    """The admin's permissions field with translated labels (content types loaded at once)."""
    kwargs["queryset"] = Permission.objects.select_related("content_type")
    kwargs["form_class"] = PermissionChoices
    return kwargs


class TranslatedGroupAdmin(GroupAdmin):
    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest | None = None, **kwargs: Any
    ) -> Any:
        if db_field.name == "permissions":
            kwargs = permissions_field(db_field, **kwargs)
        return super().formfield_for_manytomany(db_field, request=request, **kwargs)


admin.site.unregister(Group)
admin.site.register(Group, TranslatedGroupAdmin)
