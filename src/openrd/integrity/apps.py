from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "openrd.integrity"
    label = "integrity"
    verbose_name = _("Research integrity")

    def ready(self) -> None:
        from openrd.integrity import (
            my_tasks,  # noqa: F401  (the pledge on "My tasks")
            permissions,  # noqa: F401  (registers the permissions)
        )
        from openrd.integrity.checklists import my_tasks as checklist_tasks  # noqa: F401
