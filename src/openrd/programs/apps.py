from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "openrd.programs"
    label = "programs"
    verbose_name = _("Programs")

    def ready(self) -> None:
        from openrd.programs import (
            follow,  # noqa: F401  (names followed programs in the inbox)
            my_tasks,  # noqa: F401  (open calls of followed programs on "My tasks")
            permissions,  # noqa: F401  (registers the permissions)
        )
