from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategyConfig(AppConfig):
    name = "openrd.strategy"
    label = "strategy"
    verbose_name = _("Strategy and indicators (command tower)")

    def ready(self) -> None:
        # The permissions, and the indicators to report on "My tasks".
        from openrd.strategy import my_tasks, permissions, signals  # noqa: F401

        signals.connect()  # stored metric values go stale when their records change
