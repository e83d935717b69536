"""allauth's social-account admins with their own English labels in the page's
language: the provider field of the application form (built without a label)
and the shortened token column. Fields, filters and permissions are allauth's."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.admin import SocialAppAdmin, SocialAppForm, SocialTokenAdmin
from allauth.socialaccount.models import SocialApp, SocialToken
from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class TranslatedSocialAppForm(SocialAppForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].label = SocialApp._meta.get_field("provider").verbose_name


class TranslatedSocialAppAdmin(SocialAppAdmin):
    form = TranslatedSocialAppForm


class TranslatedSocialTokenAdmin(SocialTokenAdmin):
    @admin.display(description=_("token"))
    def truncated_token(self, token: SocialToken) -> str:
        return super().truncated_token(token)


admin.site.unregister(SocialApp)
admin.site.register(SocialApp, TranslatedSocialAppAdmin)
admin.site.unregister(SocialToken)
admin.site.register(SocialToken, TranslatedSocialTokenAdmin)
