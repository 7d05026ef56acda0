import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_asgi_application()

# Refuse to serve with a wrong or missing personal-data key, as portal/wsgi.py does.
from django.db import connections  # noqa: E402

from portal.crypto import verify_data_keys  # noqa: E402

verify_data_keys()
connections.close_all()
