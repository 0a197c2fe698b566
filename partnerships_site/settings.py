"""Settings for the Partnerships Register, read from the environment.

Every variable is described in README.md. Defaults are safe: debug is off unless asked for, and a
production start-up without a secret key stops with a clear error.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from import_export.formats.base_formats import CSV, XLSX

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0 (true or false), not {value!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Core

DEBUG = env_bool("DJANGO_DEBUG", False)

# With debug off and no key, commands that sign nothing (check, makemigrations, migrate) still
# run; Django refuses any use of the empty key, and the web server will not start (wsgi.py).
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "development-only-key-never-used-when-debug-is-off"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "").strip() or "Your Council"
SERVICE_NAME = f"{COUNCIL_NAME} Partnerships Register"
ACCESSIBILITY_CONTACT_EMAIL = os.environ.get(
    "ACCESSIBILITY_CONTACT_EMAIL", "democratic.services@example.gov.uk"
)
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Applications

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Third party
    "crispy_forms",
    "crispy_forms_gds",
    "django_filters",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "rules.apps.AutodiscoverRulesConfig",
    "csp",
    "axes",
    "import_export",
    # Local
    "partnerships_site",
    "register",
    "risks",
    "reviews",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything that may answer early (unsafe input, a session past its 12 hours), so
    # every page and redirect carries the framing and content security policies.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "partnerships_site.middleware.RejectUnsafeInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "partnerships_site.middleware.SessionLifetimeMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "partnerships_site.middleware.NoStoreForSignedInMiddleware",
    "partnerships_site.middleware.HistoryContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "partnerships_site.urls"
WSGI_APPLICATION = "partnerships_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partnerships_site.context_processors.site",
            ],
            # Quicker `date` and `floatformat` for the council's formats, the same output.
            "builtins": ["partnerships_site.template_builtins"],
        },
    },
    {
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "partnerships_site.jinja.environment"},
    },
]

# Database: PostgreSQL only. DATABASE_URL names a server; without it an embedded server runs
# under var/ (see partnerships_site/embedded_db.py).

if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=600, conn_health_checks=True
        )
    }
    if os.environ.get("DJANGO_TEST_DATABASE_NAME"):
        DATABASES["default"]["TEST"] = {"NAME": os.environ["DJANGO_TEST_DATABASE_NAME"]}
else:
    from partnerships_site.embedded_db import database_settings

    DATABASES = {"default": database_settings(VAR_DIR)}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Authentication and sessions

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Django's ModelBackend, reading the person's roles and permissions with them in one query.
    "partnerships_site.backends.CouncilModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Django's database sessions, read with SQL compiled once per process (see
# partnerships_site/sessions.py).
SESSION_ENGINE = "partnerships_site.sessions"
# Idle timeout: a session lasts 30 minutes from its last renewal. SessionLifetimeMiddleware
# renews it on a request at least SESSION_RENEW_AFTER after the last renewal, rather than writing
# the session on every request: a session may so end up to a minute before 30 idle minutes are up,
# never after.
SESSION_COOKIE_AGE = 30 * 60
SESSION_RENEW_AFTER = timedelta(seconds=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Absolute timeout, enforced by SessionLifetimeMiddleware whatever the activity.
SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)

# Sign-in throttling (django-axes): 10 failures lock the username for the cool-off period.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "partnerships_site.views.locked_out"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "0") or 0) or None

# Security

SECURE_COOKIES = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if DEBUG else 63072000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = [
    # Sign-in is throttled by username, not IP address: council staff share a few office and
    # VPN addresses, and locking an address would lock out whole offices at once.
    "axes.W006",
]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# Uploads stay small enough to scan and store; documents are limited again per field.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# Internationalisation: British English, London time, UK dates.

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["partnerships_site.formats"]

# Static files and uploads

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", VAR_DIR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
# Once `collectstatic` has run (as in production), serve compressed files with hashed names that
# browsers may cache for ever; before that (development, tests) serve static/ as it is.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if (STATIC_ROOT / "staticfiles.json").exists()
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True

# Email: SMTP from the environment; printed to the console when debugging.

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", f"{SERVICE_NAME} <partnerships@example.gov.uk>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
DEMOCRATIC_SERVICES_EMAIL = os.environ.get(
    "DEMOCRATIC_SERVICES_EMAIL", "democratic.services@example.gov.uk"
)

# Forms

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Import and export in admin (django-import-export): CSV and Excel only. Each import is one
# transaction, so a file with one bad row writes nothing; only those who may change a model may
# import it. register.resources escapes formulae itself: the library's
# IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only strips a leading "=" (and writes None as "None").
IMPORT_EXPORT_FORMATS = [CSV, XLSX]
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_ESCAPE_ILLEGAL_CHARS_ON_EXPORT = True

# Audit history (django-pghistory): the acting user and URL go with every change.
# Triggers on many-to-many link tables (Corporate Plan priorities) have no migration of their
# own, so every migrate (re)installs all history triggers.
PGTRIGGER_INSTALL_ON_MIGRATE = True
# Only requests that may change something carry the context: pghistory sends it with every query
# a request makes, and a GET changes nothing (the access matrix proves it of every URL).
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# The reads every record page makes are planned once per database connection (see
# partnerships_site/prepared.py). Off behind a pooler that shares connections between transactions.
PREPARED_READS = env_bool("DJANGO_PREPARED_READS", True)

# Caches, kept by each process in its own memory. "pages" holds drawn partnership pages until
# what they show changes (register/page_cache.py): at most 300 (about 20 MB) a process.
# DJANGO_PAGE_CACHE=0 draws every page afresh, to measure or to rule the cache out.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": (
            "django.core.cache.backends.locmem.LocMemCache"
            if env_bool("DJANGO_PAGE_CACHE", True)
            else "django.core.cache.backends.dummy.DummyCache"
        ),
        "LOCATION": "pages",
        "TIMEOUT": 24 * 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": 300},
    },
}

# Logging: errors to the console, where gunicorn or systemd collect them.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.security.DisallowedHost": {"level": "ERROR"},
        "pgserver": {"level": "WARNING"},
    },
}
