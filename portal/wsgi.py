import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

# Refuse to serve with a wrong or missing personal-data key (a clear message, not a 500 later).
from django.db import connections  # noqa: E402

from portal.crypto import verify_data_keys  # noqa: E402

verify_data_keys()

# What each worker would otherwise load on its first requests (every app's URLs and views,
# the translation catalogues), loaded once here: a preloading server forks with it in place.
from django.conf import settings  # noqa: E402
from django.urls import get_resolver  # noqa: E402
from django.utils.translation import trans_real  # noqa: E402

get_resolver().url_patterns  # noqa: B018 - loading them is the point
for code, _name in settings.LANGUAGES:
    trans_real.translation(code)

connections.close_all()  # a preloading server forks after this: no connection to share
