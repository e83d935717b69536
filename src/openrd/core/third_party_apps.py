"""The admin names of third-party apps that give none in Japanese (their
``verbose_name`` is a plain English string): listed in INSTALLED_APPS in place
of the packages' own configurations, so the admin index reads in the page's
language. Nothing else of the apps changes.

allauth's second factors and user sessions, and some fields of its social
accounts, have no translatable name at all (Django makes one from the class or
the attribute): those configurations name them once the models are loaded.
Migrations read the names the package's code declares, not these, so none is
made for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from allauth.mfa.apps import MFAConfig as AllauthMFAConfig
from allauth.socialaccount.apps import SocialAccountConfig as AllauthSocialAccountConfig
from allauth.usersessions.apps import UserSessionsConfig as AllauthUserSessionsConfig
from axes.apps import AppConfig as AxesAppConfig
from django.db.models import Field, Model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_rq.apps import DjangoRqAdminConfig
from django_tasks_db.apps import TasksAppConfig

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


class AxesConfig(AxesAppConfig):
    verbose_name = _("Sign-in attempts")


class TasksDatabaseConfig(TasksAppConfig):
    # The package declares a plain str; a lazy one is what Django reads here too.
    verbose_name = _("Background tasks (database)")  # type: ignore[assignment]


class RQConfig(DjangoRqAdminConfig):
    verbose_name = _("Background tasks (Redis queue)")


def name_model(
    model: type[Model],
    fields: dict[str, _StrPromise],
    singular: _StrPromise | None = None,
    plural: _StrPromise | None = None,
) -> None:
    """Give a third-party model and some of its fields translatable names."""
    meta = model._meta
    if singular is not None:
        meta.verbose_name = singular
        meta.verbose_name_plural = plural or singular
    for name, label in fields.items():
        field = meta.get_field(name)
        assert isinstance(field, Field), name
        field.verbose_name = label


class MFAConfig(AllauthMFAConfig):
    def ready(self) -> None:
        super().ready()
        name_model(
            self.get_model("Authenticator"),
            {
                "user": _("user"),
                "type": _("type"),
                "data": _("data"),
                "created_at": _("created at"),
                "last_used_at": _("last used at"),
            },
            pgettext_lazy("model", "second factor"),
            pgettext_lazy("model", "second factors"),
        )


class UserSessionsConfig(AllauthUserSessionsConfig):
    def ready(self) -> None:
        super().ready()
        name_model(
            self.get_model("UserSession"),
            {
                "user": _("user"),
                "created_at": _("created at"),
                "ip": _("IP address"),
                "last_seen_at": _("last seen at"),
                "user_agent": _("user agent"),
                "data": _("data"),
            },
            pgettext_lazy("model", "user session"),
            pgettext_lazy("model", "user sessions"),
        )


class SocialAccountConfig(AllauthSocialAccountConfig):
    def ready(self) -> None:
        super().ready()
        name_model(self.get_model("SocialApp"), {"settings": _("settings")})
        name_model(self.get_model("SocialAccount"), {"user": _("user")})
        name_model(
            self.get_model("SocialToken"),
            {"app": _("social application"), "account": _("social account")},
        )
