import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

# Refuse to serve with a wrong or missing personal-data key (a clear message, not a 500 later).
from django.db import connections  # noqa: E402

from portal.crypto import verify_data_keys  # noqa: E402

verify_data_keys()
connections.close_all()  # a preloading server forks after this: no connection to share
