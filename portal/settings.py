"""Settings, all read from the environment.

With no environment at all the portal runs embedded: SQLite in the project folder, Celery tasks
run inline. Production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY, DEBUG=0 and
ALLOWED_HOSTS (see README, "Production").
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
env = os.environ


def env_bool(name, default):
    return env.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    return int(env.get(name, default))


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

# Personal data at rest (portal/crypto.py): residents' phones and e-mails are stored encrypted
# under the first of PERSONAL_DATA_KEYS (comma-separated base64 keys, "sm4:" or "aes:" in front to
# choose the cipher; the others only decrypt, until `manage.py rotate_data_keys` has moved every
# value) and found by an HMAC under PERSONAL_DATA_LOOKUP_KEY. Required when DEBUG is off; the
# demo uses fixed development keys.
PERSONAL_DATA_CIPHER = env.get("PERSONAL_DATA_CIPHER", "aes")
PERSONAL_DATA_KEYS = [k.strip() for k in env.get("PERSONAL_DATA_KEYS", "").split(",") if k.strip()]
PERSONAL_DATA_LOOKUP_KEY = env.get("PERSONAL_DATA_LOOKUP_KEY", "")
if not PERSONAL_DATA_KEYS or not PERSONAL_DATA_LOOKUP_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "PERSONAL_DATA_KEYS and PERSONAL_DATA_LOOKUP_KEY must be set when DEBUG is off "
            "(个人数据加密密钥未设置，系统拒绝启动; see README, 'Personal data keys')"
        )
    PERSONAL_DATA_KEYS = PERSONAL_DATA_KEYS or ["ZGV2LW9ubHktcGVyc29uYWwtZGF0YS1rZXktMzJieXQ="]
    PERSONAL_DATA_LOOKUP_KEY = PERSONAL_DATA_LOOKUP_KEY or "dev-only-lookup-key"

ALLOWED_HOSTS = [h for h in env.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "portal",
    "members",
    "grievances",
    "dashboards",
    "stations",
    "canteens",
    "volunteers",
    "points",
    "gridwork",
    "security",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",  # CSP, Permissions-Policy on every response
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "security.middleware.StaffSessionMiddleware",
    "security.middleware.AuditContextMiddleware",
    "security.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.DatabaseUnavailableMiddleware",
    # Last: turns a locked-out sign-in into the lockout page (security/lockout.py).
    "axes.middleware.AxesMiddleware",
]

# Axes first: a locked-out account or address is refused before its password is checked.
AUTHENTICATION_BACKENDS = [
    "security.backends.LockoutBackend",
    "portal.auth.UserBackend",  # ModelBackend, its user SELECT prepared once
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
AUTH_USER_MODEL = "portal.User"
# Members sign in on /accounts/login/; staff views send staff to the admin's login themselves.
LOGIN_URL = "members:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: DATABASE_URL, else a SQLite file beside manage.py.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers queue instead of failing with "database is locked"; WAL lets readers
    # carry on while one writes.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # Fail fast when PostgreSQL is down: the request gets a 503 instead of hanging.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DATABASE_CONNECT_TIMEOUT", 3
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Celery: with no broker the tasks run inline, so the embedded site still routes cases.
CELERY_BROKER_URL = env.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a task killed mid-way is redelivered; tasks are idempotent
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must never hang a web request when Redis is down: fail fast, the sweeper catches up.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 1,
    "socket_connect_timeout": 1,
    "max_retries": 0,
    "visibility_timeout": 3600,
}
CELERY_TASK_PUBLISH_RETRY = False
# Messages go through their own queue: a burst of them (after a big escalation sweep, say)
# must not hold up the routing of new cases. A worker started without -Q consumes both queues,
# taking from each in turn; at scale, run a worker of its own for "notify".
CELERY_TASK_QUEUES = (
    Queue("celery", routing_key="celery"),
    Queue("notify", routing_key="notify"),
)
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "grievances.tasks.send_notifications": {"queue": "notify"},
    "portal.tasks.send_text": {"queue": "notify"},
}
# Reuse the worker's database connection across tasks (Celery closes it after each otherwise).
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000)
CELERY_BEAT_SCHEDULE = {
    "route-unrouted-cases": {
        "task": "grievances.tasks.route_pending_cases",
        "schedule": 30.0,
    },
    "escalate-overdue-cases": {
        "task": "grievances.tasks.escalate_overdue_cases",
        "schedule": 60.0,
    },
    "remind-station-activities": {
        "task": "stations.tasks.remind_activities",
        "schedule": 300.0,
    },
    "roll-up-station-checkins": {
        "task": "stations.tasks.roll_up_yesterday",
        "schedule": crontab(hour=0, minute=7),
    },
    "roll-up-canteen-meals": {
        "task": "canteens.tasks.roll_up_yesterday",
        "schedule": crontab(hour=0, minute=9),
    },
    "roll-up-volunteer-activities": {
        "task": "volunteers.tasks.roll_up_yesterday",
        "schedule": crontab(hour=0, minute=11),
    },
    "roll-up-grid-work": {
        "task": "gridwork.tasks.roll_up_yesterday",
        "schedule": crontab(hour=0, minute=13),
    },
    "roll-up-points": {
        "task": "points.tasks.roll_up_yesterday",
        "schedule": crontab(hour=0, minute=15),
    },
    "anonymise-closed-cases": {
        "task": "grievances.tasks.anonymise_closed_cases",
        "schedule": crontab(hour=3, minute=41),
    },
    "purge-spent-member-codes": {
        "task": "members.tasks.purge_spent_codes",
        "schedule": crontab(minute=41),
    },
    "archive-audit-trail": {
        "task": "security.tasks.archive_audit_trail",
        "schedule": crontab(hour=2, minute=47),
    },
    "refund-expired-vouchers": {
        "task": "points.tasks.refund_expired_vouchers",
        "schedule": crontab(minute=23),
    },
    "lapse-overdue-wish-claims": {
        "task": "points.tasks.lapse_overdue_wish_claims",
        "schedule": crontab(hour=0, minute=27),
    },
    "expire-old-points": {
        "task": "points.tasks.expire_old_points",
        "schedule": crontab(hour=1, minute=13),
    },
    "raise-overdue-visit-flags": {
        "task": "gridwork.tasks.raise_overdue_flags",
        "schedule": crontab(minute="*/30"),
    },
    "resume-register-imports": {
        "task": "gridwork.tasks.resume_imports",
        "schedule": crontab(minute="*/10"),
    },
    "recount-dashboard-rollups": {
        "task": "dashboards.tasks.verify_rollups",
        "schedule": crontab(hour=3, minute=17),
    },
}

# Cache: shared Redis when there is one (rate limits must hold across web processes).
CACHE_URL = env.get("CACHE_URL", CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions from the cache (one Redis GET, not a SELECT, per signed-in request), kept in the
# database; a cache outage falls back to the database (portal/sessions.py).
SESSION_ENGINE = "portal.sessions"

# Staff passwords (members have none): long, mixed, not one of the last few, not the demo's.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "security.passwords.LengthValidator",
        "OPTIONS": {"min_length": env_int("STAFF_PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "security.passwords.ComplexityValidator"},
    {"NAME": "security.passwords.DemoPasswordValidator"},
    {
        "NAME": "security.passwords.HistoryValidator",
        "OPTIONS": {"keep": env_int("STAFF_PASSWORD_HISTORY", 5)},
    },
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.get("MEDIA_ROOT", BASE_DIR / "media"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "members.api.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portal.api.permissions.IsScopedStaff"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Community service portal API",
    "VERSION": "1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One schema enum for a case's level, wherever it appears (level, from/to, resolved at).
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": "grievances.models.cases.Level",
        "CaseStatusEnum": "grievances.models.cases.Status",
    },
}

# Security: strict whenever DEBUG is off (`manage.py check --deploy` is clean).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Links to other sites carry no path or query (a tracking code, a case number); ours carry the page.
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy and Permissions-Policy: portal.middleware.SecurityHeadersMiddleware (the
# map's tile server, MAP_TILE_URL, is allowed for images). Report-only while trying a new policy.
CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", False)
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Portal-specific knobs.
# Notifications to residents, members and staff (every app sends through portal/notify.py): the
# default logs them (sign-in codes included); an SMS gateway plugs in here.
NOTIFY_BACKEND = env.get("NOTIFY_BACKEND", "portal.notify.LogBackend")
SMS_GATEWAY_URL = env.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_KEY = env.get("SMS_GATEWAY_KEY", "")
SMS_GATEWAY_SECRET = env.get("SMS_GATEWAY_SECRET", "")
SMS_SIGN_NAME = env.get("SMS_SIGN_NAME", "社区服务")
# Residents who leave an e-mail address hear by mail: SMTP when EMAIL_HOST is set, else the log.
EMAIL_HOST = env.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.get("DEFAULT_FROM_EMAIL", "noreply@localhost")
# Resident intake form: submissions per IP and per phone per hour (raised only for benchmarks).
INTAKE_RATE_PER_IP = env.get("INTAKE_RATE_PER_IP", "20/h")
INTAKE_RATE_PER_PHONE = env.get("INTAKE_RATE_PER_PHONE", "5/h")
# Behind N reverse proxies the resident's IP is the N-th address from the right of
# X-Forwarded-For (0: REMOTE_ADDR, which a client cannot forge). Without it, every resident
# would share the proxy's address and its rate limit.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)
# PIPL: the reporter's name, phone, e-mail and photos are erased this many days after a case
# is resolved (grievances.tasks.anonymise_closed_cases, nightly; `manage.py anonymise_cases`).
CASE_ANONYMISE_AFTER_DAYS = env_int("CASE_ANONYMISE_AFTER_DAYS", 365)
# Yellow card (黄牌) once this share of a case's time limit at its level is gone; red when it
# runs out. Both go to the holder (and the yellow one to the level above), once each.
CASE_YELLOW_SHARE = float(env.get("CASE_YELLOW_SHARE", "0.75"))
# The bare one-INSERT baseline view for bench/ is mounted only when this is on.
BENCH_BASELINE = env_bool("BENCH_BASELINE", False)
# bench/encryption.py's comparison run: personal data written unencrypted. Bench only.
PERSONAL_DATA_BENCH_PLAINTEXT = BENCH_BASELINE and env_bool("PERSONAL_DATA_BENCH_PLAINTEXT", False)
# ... and with no audit machinery at all (no request context, no model-change signals). Bench only.
AUDIT_BENCH_OFF = BENCH_BASELINE and env_bool("AUDIT_BENCH_OFF", False)

# Members (sign in with phone + SMS code; see members/services.py).
MEMBER_CODE_TTL_SECONDS = env_int("MEMBER_CODE_TTL_SECONDS", 300)  # a code lives 5 minutes
MEMBER_CODE_RESEND_SECONDS = env_int("MEMBER_CODE_RESEND_SECONDS", 60)
MEMBER_CODE_MAX_ATTEMPTS = env_int("MEMBER_CODE_MAX_ATTEMPTS", 5)  # wrong tries, then a new code
MEMBER_CODES_PER_PHONE_HOUR = env_int("MEMBER_CODES_PER_PHONE_HOUR", 5)
MEMBER_CODES_PER_PHONE_DAY = env_int("MEMBER_CODES_PER_PHONE_DAY", 10)
MEMBER_CODE_RATE_PER_IP = env.get("MEMBER_CODE_RATE_PER_IP", "30/h")
MEMBER_SESSION_DAYS = env_int("MEMBER_SESSION_DAYS", 30)
MEMBER_QR_SECONDS = env_int("MEMBER_QR_SECONDS", 60)  # a member code (QR) is good this long
MEMBER_CODE_LOOKUPS_PER_STAFF = env.get("MEMBER_CODE_LOOKUPS_PER_STAFF", "30/m")

# Points (积分): the optional yearly expiry. Points credited in a calendar year and still unspent
# once this many further calendar years have ended expire (oldest first), by the nightly task;
# 0 turns expiry off.
POINTS_EXPIRE_AFTER_YEARS = env_int("POINTS_EXPIRE_AFTER_YEARS", 1)

# Staff sign-in (security app): failures per account and per IP before a lockout, its first
# length (doubled for each lockout in the last 24 hours) and its cap.
STAFF_LOCKOUT_FAILURES = env_int("STAFF_LOCKOUT_FAILURES", 5)
STAFF_LOCKOUT_MINUTES = env_int("STAFF_LOCKOUT_MINUTES", 15)
STAFF_LOCKOUT_MAX_HOURS = env_int("STAFF_LOCKOUT_MAX_HOURS", 24)
# The audit trail (安全审计): events are kept this many days (never fewer than 180, the legal
# minimum), then moved by the nightly task to gzipped files here (back them up).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 180)
AUDIT_ARCHIVE_DIR = Path(env.get("AUDIT_ARCHIVE_DIR", BASE_DIR / "audit-archive"))
# Staff sessions end after this long without a request, and this long after sign-in however
# busy (members' 30-day sessions are not affected).
STAFF_SESSION_IDLE_MINUTES = env_int("STAFF_SESSION_IDLE_MINUTES", 30)
STAFF_SESSION_MAX_HOURS = env_int("STAFF_SESSION_MAX_HOURS", 12)
# 三权分立: no account holds two of the system / security / audit administrator duties
# (enforced whenever DEBUG is off; the demo may combine them).
SEPARATE_DUTIES = env_bool("SEPARATE_DUTIES", not DEBUG)
# Two-factor sign-in for staff (TOTP + recovery codes): on whenever DEBUG is off; the embedded
# demo (DEBUG=1) runs without it, and `check --deploy` warns while it is off. Grid workers need
# it only with STAFF_2FA_GRID_WORKERS.
STAFF_2FA_REQUIRED = env_bool("STAFF_2FA_REQUIRED", not DEBUG)
STAFF_2FA_GRID_WORKERS = env_bool("STAFF_2FA_GRID_WORKERS", False)
OTP_TOTP_ISSUER = env.get("OTP_TOTP_ISSUER", "社区服务平台")
# Wrong codes count as failed sign-ins (the axes lockout below), so django-otp's own
# per-device delay would only make a mistyped code fail twice.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# django-axes: failures counted in the database, so a cache outage neither locks everyone out
# nor lets guesses through unlimited.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = STAFF_LOCKOUT_FAILURES
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each counted on its own
AXES_COOLOFF_TIME = "security.lockout.cool_off"
AXES_LOCKOUT_CALLABLE = "security.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "portal.ratelimit.client_ip"
AXES_RESET_ON_SUCCESS = True  # "consecutive failures": a good sign-in starts the count again
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the lockout grows per lockout, not per try
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in the audit trail (security.AuditEvent)
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False  # security/admin.py lists lockouts for the security administrator

# Maps: a tile URL template (Leaflet). Empty: no tiles, points and outlines still show. For
# Tianditu (天地图, CGCS2000 ≈ WGS-84) use its WMTS URL with your key (tk=...).
MAP_TILE_URL = env.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env.get("MAP_TILE_ATTRIBUTION", "")
# Where the resident form's map starts before the outlines load ("lat,long", the district).
MAP_CENTRE = tuple(float(v) for v in env.get("MAP_CENTRE", "30.60,114.28").split(","))
# Routing a map point outside every community polygon: the nearest community within this many
# kilometres takes it, else the desk the case was filed with (the street).
ROUTING_NEAREST_COMMUNITY_KM = float(env.get("ROUTING_NEAREST_COMMUNITY_KM", "3"))
# How often a process asks the database whether the boundaries changed (its point index is
# rebuilt then); an import in the same process takes effect at once.
BOUNDARY_INDEX_CHECK_SECONDS = float(env.get("BOUNDARY_INDEX_CHECK_SECONDS", "10"))
# The public address printed in QR codes on posters (https://portal.example.gov.cn); empty: the
# address the poster was requested on.
PUBLIC_BASE_URL = env.get("PUBLIC_BASE_URL", "")

PORTAL_NAME = _("Community service portal")
