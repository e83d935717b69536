from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "openrd.accounts"
    label = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self) -> None:
        from openrd.accounts import (
            permissions,  # noqa: F401  (registers the permissions)
            signals,  # noqa: F401  (audits logins and lock-outs)
        )
