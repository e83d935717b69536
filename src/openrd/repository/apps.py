from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepositoryConfig(AppConfig):
    name = "openrd.repository"
    label = "repository"
    verbose_name = _("Research output repository")

    def ready(self) -> None:
        # Outputs to make open and deposits to curate on "My tasks".
        from openrd.repository import compliance_store, my_tasks, restamp  # noqa: F401

        # Renaming an institution, a program or an award moves its records' datestamps.
        restamp.connect()
        # A change of what the OA mandate reads re-judges the outputs concerned.
        compliance_store.connect()
