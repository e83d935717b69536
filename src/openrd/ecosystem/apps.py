from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EcosystemConfig(AppConfig):
    name = "openrd.ecosystem"
    label = "ecosystem"
    verbose_name = _("Innovation ecosystem")

    def ready(self) -> None:
        from openrd.ecosystem import my_tasks, permissions  # noqa: F401
