"""Django settings for OpenRD.

Everything that differs between a laptop and a production host comes from the
environment, so the same file serves the embedded SQLite demo, CI on PostgreSQL
and a deployment (see docs/adr/0003-configuration-from-environment.md).
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("OPENRD_VAR_DIR", PROJECT_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("OPENRD_DEBUG", True)

# A fixed key is only acceptable for the local demo; production mode refuses to
# start without a real one (see openrd.core.checks).
SECRET_KEY = os.environ.get(
    "OPENRD_SECRET_KEY", "insecure-openrd-local-demo-key-change-me-in-production-0123456789"
)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("OPENRD_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("OPENRD_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "axes",
    "openrd.core",
    "openrd.accounts",
    "openrd.integrity",
    "openrd.programs",
    "openrd.proposals",
    "openrd.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the path or the query string.
    "openrd.core.text_safety.RejectUnsafeTextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A rule's refusal (core.refusals.Refused) raised by any page: one answer, 409.
    "openrd.core.refusals.RefusedMiddleware",
    # Last, so that a locked-out login is answered before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "openrd.urls"
WSGI_APPLICATION = "openrd.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["openrd.core.templatetags.openrd_format"],
        },
    }
]

# DATABASE_URL selects the database (postgres://... in CI and production);
# without it OpenRD runs on an embedded SQLite file.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'openrd.sqlite3'}",
        conn_max_age=int(os.environ.get("OPENRD_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the site read while a worker writes; IMMEDIATE avoids the
    # "database is locked" upgrade deadlock between two writers.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The embedded database lives in var/; make sure the folder is there.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out credential before a password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Object permissions declared per app in <app>/permissions.py.
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

# Login throttling (docs/adr/0013-login-throttling-and-client-address.md):
# five failures for one user name from one address, or twenty failures from one
# address whatever the user names (password spraying), lock that address (for
# that user name, or for all) for 15 minutes, doubling with each further
# lock-out of the address within a day, up to a day. Another address is not
# affected, so an attacker cannot lock a researcher out everywhere.
AXES_FAILURE_LIMIT = int(os.environ.get("OPENRD_LOGIN_FAILURE_LIMIT", "5"))
OPENRD_LOGIN_ADDRESS_FAILURE_LIMIT = max(
    AXES_FAILURE_LIMIT, int(os.environ.get("OPENRD_LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
)
OPENRD_LOGIN_COOLOFF_MINUTES = int(os.environ.get("OPENRD_LOGIN_COOLOFF_MINUTES", "15"))
OPENRD_LOGIN_MAX_COOLOFF_HOURS = 24
AXES_LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]
AXES_HANDLER = "openrd.accounts.throttling.LoginThrottleHandler"
AXES_COOLOFF_TIME = "openrd.accounts.throttling.cool_off"
AXES_LOCKOUT_CALLABLE = "openrd.accounts.throttling.lockout_response"
AXES_CLIENT_IP_CALLABLE = "openrd.core.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR blocks,
# comma-separated); empty: the peer address is the client (openrd.core.client_ip).
OPENRD_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("OPENRD_TRUSTED_PROXIES", "").split(",") if p.strip()
]
for _proxy in OPENRD_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(
            f"OPENRD_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network"
        ) from _exc

# Repeated "access denied" entries for the same client and object within this
# many seconds are counted, not written (openrd.core.access).
OPENRD_ACCESS_DENIED_INTERVAL = int(os.environ.get("OPENRD_ACCESS_DENIED_INTERVAL", "600"))

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Tokyo"
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Attachments (PDF) larger than this are refused; the proxy in front should
# enforce a similar limit on the whole request.
OPENRD_MAX_UPLOAD_BYTES = int(os.environ.get("OPENRD_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The size check runs first so an oversized file is refused while it arrives,
# before the rest is read or spooled to disk (openrd.core.uploads).
FILE_UPLOAD_HANDLERS = [
    "openrd.core.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

if not DEBUG:
    # Production sits behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Django redirects HTTP to HTTPS itself unless the operator declares that the
    # proxy in front does it (Django's deploy check then has nothing to warn about).
    _REDIRECT_BY_PROXY = _env_bool("OPENRD_HTTPS_REDIRECT_BY_PROXY", False)
    SECURE_SSL_REDIRECT = not _REDIRECT_BY_PROXY
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    if _REDIRECT_BY_PROXY:
        SILENCED_SYSTEM_CHECKS = ["security.W008"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("OPENRD_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("OPENRD_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Where the seed briefing lives when it is available (tests compare presets with it).
OPENRD_SEED_PATH = Path(
    os.environ.get(
        "OPENRD_SEED_PATH", PROJECT_DIR.parent / "shared" / "seed" / "000_57911e9c0807c863.txt"
    )
)
