"""WSGI entry point, served by gunicorn in production mode."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openrd.settings")
application = get_wsgi_application()
