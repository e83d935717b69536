from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "openrd.proposals"
    label = "proposals"
    verbose_name = _("Proposals")

    def ready(self) -> None:
        from openrd.proposals import (
            my_tasks,  # noqa: F401  (drafts, returns, endorsements)
            permissions,  # noqa: F401  (registers the permissions)
        )
