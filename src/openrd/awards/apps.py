from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "openrd.awards"
    label = "awards"
    verbose_name = _("Awards")

    def ready(self) -> None:
        from openrd.awards import my_tasks  # noqa: F401  (stage gates on "My tasks")
