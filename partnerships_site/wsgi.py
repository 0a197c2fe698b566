"""WSGI entry point, for gunicorn: `gunicorn partnerships_site.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerships_site.settings")

application = get_wsgi_application()
