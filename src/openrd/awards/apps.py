from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "openrd.awards"
    label = "awards"
    verbose_name = _("Awards")

    def ready(self) -> None:
        # Stage gates and reports on "My tasks".
        from openrd.awards import my_tasks, my_tasks_reports  # noqa: F401
