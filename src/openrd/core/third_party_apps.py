"""The admin names of third-party apps that give none in Japanese (their
``verbose_name`` is a plain English string): listed in INSTALLED_APPS in place
of the packages' own configurations, so the admin index reads in the page's
language. Nothing else of the apps changes."""

from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django_rq.apps import DjangoRqAdminConfig
from django_tasks_db.apps import TasksAppConfig


class AxesConfig(AxesAppConfig):
    verbose_name = _("Sign-in attempts")


class TasksDatabaseConfig(TasksAppConfig):
    # The package declares a plain str; a lazy one is what Django reads here too.
    verbose_name = _("Background tasks (database)")  # type: ignore[assignment]


class RQConfig(DjangoRqAdminConfig):
    verbose_name = _("Background tasks (Redis queue)")
