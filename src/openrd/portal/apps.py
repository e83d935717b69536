from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "openrd.portal"
    label = "portal"
