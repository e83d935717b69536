from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "openrd.portal"
    label = "portal"

    def ready(self) -> None:
        from openrd.portal import checks  # noqa: F401  (registers the demo-accounts deploy check)
