from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "openrd.review"
    label = "review"
    verbose_name = _("Review")

    def ready(self) -> None:
        from openrd.review import my_tasks  # noqa: F401  (the reviewer's work on "My tasks")
