"""EstateDesk settings: everything comes from the environment (on a development machine,
also from the gitignored ``.env`` that ``make run`` writes; the real environment wins).

Embedded default (nothing set): SQLite under var/, Huey on its SQLite storage, the database
cache. Real deployment: DATABASE_URL=postgres://..., REDIS_URL=redis://... switch to PostgreSQL,
Redis-backed Huey and a Redis cache with no code change.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def load_env_file(path: Path) -> list[str]:
    """A development machine's local settings: ``KEY=VALUE`` lines of ``.env`` (written by
    ``make run``, gitignored), so ``manage.py`` commands run as the README writes them. The real
    environment always wins; tests (TESTING=1) never read it. A server has no ``.env``: without
    DEBUG and SECRET_KEY in its environment the settings refuse to load (fail closed)."""
    loaded: list[str] = []
    if env_bool("TESTING", False) or not path.is_file():
        return loaded
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        if key and key not in os.environ:
            os.environ[key] = value
            loaded.append(key)
    return loaded


ENV_FILE = Path(os.environ.get("ENV_FILE") or BASE_DIR / ".env")
# What came from .env, not the environment: `check --deploy` refuses it (estate.E020).
ENV_FILE_LOADED = load_env_file(ENV_FILE)
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if DEBUG:
    ALLOWED_HOSTS += ["testserver"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "huey.contrib.djhuey",
    "axes",
    "estate",
    "residents",
    "residents.movein",
    "repairs",
    "fees",
    "renovation",
    "community",
    "community.facilities",
    "repairs.patrols",
    "repairs.paidservices",
    "estate.assessment",
]

MIDDLEWARE = [
    "estate.middleware.RequestSizeLimitMiddleware",
    "estate.middleware.QueryTextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "estate.middleware.CSPMiddleware",  # django-csp's, its text built once (estate/middleware.py)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's session, authentication and message middleware, stepping aside for an API call
    # with a bearer token (estate/middleware.py): it has no session, no login and no messages.
    "estate.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "estate.middleware.AuthenticationMiddleware",
    "estate.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "estate.middleware.CurrentEstateMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy on every response (django-csp): scripts only from our own static files
# (no inline script, no inline event handler, no eval; estate/static/estate/app.js holds the
# pages' behaviour), nothing framed or loaded from elsewhere. Inline style attributes stay
# allowed; they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}

ROOT_URLCONF = "estate.urls"
WSGI_APPLICATION = "estate.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "estate" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "estate.context_processors.staff_context",
            ],
        },
    },
]

# Database -----------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Covering indexes (Index.include, e.g. ticket_list_idx) are a PostgreSQL optimisation;
    # SQLite builds the same index without the extra columns, which is what we want there.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
    DATABASES["default"]["OPTIONS"] = {
        # The web server and the Huey consumer write to the same file: wait for the lock
        # instead of failing, and take it at BEGIN so that read-then-write never deadlocks.
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The SQL kept per process runs as PostgreSQL prepared statements (estate/prepared.py); off for
# a pooler in transaction mode (PgBouncer), where one client's session is not its own.
PREPARED_STATEMENTS = env_bool("PREPARED_STATEMENTS", True)

# Cache and Huey -------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's, with one redis client per pool instead of one per call.
            "BACKEND": "estate.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "estatedesk"),
        }
    }
else:
    # Shared by every web worker and the consumer on this machine (rate limits, lock-outs).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "estatedesk_cache",
        }
    }
# Where rate-limit counters go while the shared cache (Redis) cannot be reached: the database
# cache table that every deployment creates on migrate (estate/apps.py).
CACHES["fallback"] = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "estatedesk_cache",
    "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "estatedesk"),
}

# A month's rates close (freeze) once this day of the next month has ended, local time.
KPI_FREEZE_AFTER_DAY = int(os.environ.get("KPI_FREEZE_AFTER_DAY", "5"))

HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False)
HUEY_NAME = os.environ.get("HUEY_NAME", "estatedesk")
if REDIS_URL:
    HUEY = {
        # Several consumers may run: each periodic task is enqueued once per schedule.
        "huey_class": "estate.taskqueue.OncePerScheduleRedisHuey",
        "name": HUEY_NAME,
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "results": True,
        "utc": True,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": HUEY_NAME,
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "results": True,
        "utc": True,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

# Auth -----------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "estate/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_VERBOSE = False

# Internationalisation ---------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
# The company named on receipts (each estate may name its own in its finance settings).
COMPANY_NAME = os.environ.get("COMPANY_NAME", "")
USE_I18N = True
USE_TZ = True

# Static and media -------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("TESTING", False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
TESTING = env_bool("TESTING", False)
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
WHITENOISE_USE_FINDERS = DEBUG or TESTING
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
MAX_REQUEST_BYTES = int(os.environ.get("MAX_REQUEST_BYTES", 20 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # form fields and JSON bodies, photos excluded
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Security ---------------------------------------------------------------------------------------
# HTTPS is on by default outside DEBUG; HTTPS=0 for a plain-HTTP test server.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
# Addresses or networks of our own reverse proxies. X-Forwarded-For is believed only on a
# request that came from one of them (estate/ratelimit.py client_ip); rate limits and login
# lock-outs count the address found that way.
TRUSTED_PROXIES = [p for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]
if BEHIND_PROXY and not TRUSTED_PROXIES:
    TRUSTED_PROXIES = ["127.0.0.1", "::1"]
AXES_CLIENT_IP_CALLABLE = "estate.ratelimit.client_ip"
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

# Personal data: the keys that encrypt ID numbers and phones at rest (Fernet, see
# estate/privacy.py). FIELD_ENCRYPTION_KEYS lists several, newest first (the newest encrypts,
# all decrypt); FIELD_ENCRYPTION_KEY is the one-key form. Production must set one of them
# (check --deploy: estate.E001); development and tests fall back to one derived from SECRET_KEY.
# BLIND_INDEX_KEY keys the look-up hashes and never rotates; it defaults to the oldest key.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS") or env_list("FIELD_ENCRYPTION_KEY")
FIELD_ENCRYPTION_DEVELOPMENT_KEY = not FIELD_ENCRYPTION_KEYS and (
    DEBUG or env_bool("TESTING", False)
)
if FIELD_ENCRYPTION_DEVELOPMENT_KEY:
    FIELD_ENCRYPTION_KEYS = [SECRET_KEY]
FIELD_ENCRYPTION_KEY = FIELD_ENCRYPTION_KEYS[0] if FIELD_ENCRYPTION_KEYS else ""
BLIND_INDEX_KEY = os.environ.get("BLIND_INDEX_KEY", "")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "estatedesk@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

API_PAGE_MAX = 200

# Public resident pages: limits per client address, and one-time codes per phone number
# (RATELIMIT_ENABLE=0 turns them off, e.g. for a load benchmark). estate/ratelimit.py.
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
RESIDENT_LIMITS = {
    "submit": os.environ.get("RESIDENT_SUBMIT_RATE", "20/h"),
    "lookup": os.environ.get("RESIDENT_LOOKUP_RATE", "10/h"),
    "otp": os.environ.get("RESIDENT_OTP_RATE", "5/h"),
    "otp_phone": os.environ.get("RESIDENT_OTP_PHONE_RATE", "3/h"),
}
SMS_BACKEND = os.environ.get("SMS_BACKEND", "estate.sms.LogSender")
SMS_WEBHOOK_URL = os.environ.get("SMS_WEBHOOK_URL", "")
SMS_WEBHOOK_TOKEN = os.environ.get("SMS_WEBHOOK_TOKEN", "")
