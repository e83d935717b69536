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
    # Third-party apps under configurations that name them in Japanese too.
    "openrd.core.third_party_apps.AxesConfig",
    "openrd.core.third_party_apps.TasksDatabaseConfig",
    "openrd.core.third_party_apps.RQConfig",
    "openrd.core",
    "openrd.accounts",
    "openrd.jobs",
    "openrd.notifications",
    "openrd.integrity",
    "openrd.programs",
    "openrd.proposals",
    "openrd.review",
    "openrd.awards",
    "openrd.repository",
    "openrd.ecosystem",
    "openrd.strategy",
    "openrd.portal",
    # Sign-in, e-mail verification, password reset and MFA (docs/adr/0020-...);
    # after the project's apps so their templates override allauth's.
    "allauth",
    "allauth.account",
    "openrd.core.third_party_apps.MFAConfig",
    "openrd.core.third_party_apps.UserSessionsConfig",
    "openrd.core.third_party_apps.SocialAccountConfig",
    "allauth.socialaccount.providers.orcid",
    "allauth.socialaccount.providers.saml",
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
    "allauth.account.middleware.AccountMiddleware",
    # Privileged roles go no further than the MFA set-up until they have it.
    "openrd.accounts.middleware.RequireMFAMiddleware",
    # "My sessions": where and when each session was last seen (at most one write per 5 min).
    "openrd.accounts.middleware.SessionActivityMiddleware",
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
                "openrd.notifications.context_processors.unread_count",
                "openrd.portal.context_processors.my_tasks_count",
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
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "portal:home"

# Sign-in with django-allauth (docs/adr/0020-sign-in-with-allauth-and-mfa.md):
# user name and password; anyone may sign up, and a new account signs in only
# once its e-mail address is verified. Axes still throttles every attempt, so
# allauth's own failed-login limit is off (one counter, one lock-out page).
ACCOUNT_ADAPTER = "openrd.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "openrd.accounts.forms.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_RATE_LIMITS = {"login_failed": None}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[OpenRD] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# TOTP with recovery codes, and security keys or passkeys (WebAuthn) as a second
# factor; required for privileged roles (openrd.accounts.mfa_policy). A passkey
# is not a way to sign in without the password: one policy, one audit trail.
MFA_ADAPTER = "openrd.accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
# Browsers offer WebAuthn on https:// and on http://localhost (not on an IP
# address); the verifier accepts plain http only in debug, for the demo.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_FORMS = {"activate_totp": "openrd.accounts.forms.ActivateTOTPForm"}
MFA_TOTP_ISSUER = "OpenRD"
# Provisioned accounts may have no e-mail address; self-sign-ups are verified
# before they can sign in at all, so this opens nothing to unverified people.
MFA_ALLOW_UNVERIFIED_EMAIL = True
# ORCID sign-in and linking: an app registered at orcid.org (or sandbox.orcid.org
# for tests and staging, OPENRD_ORCID_BASE_DOMAIN); off without a client id.
SOCIALACCOUNT_ADAPTER = "openrd.accounts.adapter.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS: dict[str, dict] = {}
if os.environ.get("OPENRD_ORCID_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["orcid"] = {
        "BASE_DOMAIN": os.environ.get("OPENRD_ORCID_BASE_DOMAIN", "orcid.org"),
        "MEMBER_API": False,
        "APPS": [
            {
                "client_id": os.environ["OPENRD_ORCID_CLIENT_ID"],
                "secret": os.environ.get("OPENRD_ORCID_CLIENT_SECRET", ""),
            }
        ],
    }
SOCIALACCOUNT_EMAIL_VERIFICATION = "mandatory"

# --- SAML 2.0 single sign-on: GakuNin and institutional IdPs -------------------
# (docs/adr/0021-saml-single-sign-on.md). allauth's "saml" provider with
# python3-saml; OpenRD's subclass adds the secure defaults, the replay store
# and the ePPN as uid. IdPs come from the file OPENRD_SAML_IDPS names (TOML or
# JSON, format in openrd.accounts.saml_config) and from the admin (Social
# applications, provider "SAML"). The SP entity id is OPENRD_SAML_SP_ENTITY_ID,
# or OPENRD_SITE_URL + "/saml/sp" (openrd.accounts.saml.sp_entity_id).
from openrd.accounts.saml_config import load_saml_apps  # noqa: E402  (pure: no models)

OPENRD_SAML_SP_ENTITY_ID = os.environ.get("OPENRD_SAML_SP_ENTITY_ID", "")
SOCIALACCOUNT_PROVIDERS["saml"] = {
    "provider_class": "openrd.accounts.saml.OpenRDSAMLProvider",
    "APPS": load_saml_apps(os.environ.get("OPENRD_SAML_IDPS")),
}
# A posted SAMLResponse that is not XML gets the SAML error page, not a 500.
MIDDLEWARE = [*MIDDLEWARE, "openrd.accounts.saml_guard.RefuseUnreadableSAMLResponse"]
# --- end of SAML ------------------------------------------------------------------

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

# Background work (docs/adr/0018-background-tasks-database-default-rq-at-scale.md).
# Application code only uses django.tasks; OPENRD_TASKS_BACKEND picks where the
# work goes: "database" (default: a table the db_worker polls, nothing else to
# run), "rq" (Redis, workers on many machines) or "immediate" (run in the
# caller's process; for one-off scripts, never for a deployment).
OPENRD_TASKS_BACKEND = os.environ.get("OPENRD_TASKS_BACKEND", "database").strip().lower()
OPENRD_REDIS_URL = os.environ.get("OPENRD_REDIS_URL", "redis://127.0.0.1:6379/0")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
if OPENRD_TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"OPENRD_TASKS_BACKEND: {OPENRD_TASKS_BACKEND!r} is not one of {sorted(_TASK_BACKENDS)}"
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[OPENRD_TASKS_BACKEND]}}
RQ_QUEUES = {"default": {"URL": OPENRD_REDIS_URL}}
# `manage.py rqworker` runs django.tasks tasks only with the job class of django-tasks-rq.
RQ = {"JOB_CLASS": "django_tasks_rq.backend.Job"}
# A task RUNNING for longer than this without its worker alive is taken to be
# lost with a killed worker and is queued again (openrd.jobs.worker).
OPENRD_TASKS_STALE_AFTER = int(os.environ.get("OPENRD_TASKS_STALE_AFTER", "900"))
# On RQ, a job whose worker died is queued again up to this many times
# (openrd.jobs.rq_recovery); after that it stays failed for a person to look at.
OPENRD_TASKS_MAX_REQUEUES = int(os.environ.get("OPENRD_TASKS_MAX_REQUEUES", "3"))

# E-mail (docs/adr/0019-transactional-outbox.md). OPENRD_EMAIL_BACKEND names a
# Django e-mail backend; without it production sends by SMTP and debug writes
# each message as a file in var/mail/ (the demo's mail is read there).
_EMAIL_BACKEND = os.environ.get(
    "OPENRD_EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
_EMAIL_OPTIONS: dict[str, object] = {}
if _EMAIL_BACKEND.endswith(".smtp.EmailBackend"):
    _EMAIL_OPTIONS = {
        "host": os.environ.get("OPENRD_SMTP_HOST", "localhost"),
        "port": int(os.environ.get("OPENRD_SMTP_PORT", "25")),
        "username": os.environ.get("OPENRD_SMTP_USER", ""),
        "password": os.environ.get("OPENRD_SMTP_PASSWORD", ""),
        "use_tls": _env_bool("OPENRD_SMTP_TLS", False),
        "timeout": int(os.environ.get("OPENRD_SMTP_TIMEOUT", "10")),
    }
elif _EMAIL_BACKEND.endswith(".filebased.EmailBackend"):
    _EMAIL_OPTIONS = {"file_path": str(VAR_DIR / "mail")}
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND, "OPTIONS": _EMAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = os.environ.get("OPENRD_MAIL_FROM", "OpenRD <no-reply@openrd.localhost>")
# The right-hand side of the outbox's stable Message-IDs, and the site links use.
OPENRD_MAIL_DOMAIN = os.environ.get("OPENRD_MAIL_DOMAIN", "openrd.localhost")
OPENRD_SITE_URL = os.environ.get("OPENRD_SITE_URL", "http://127.0.0.1:8000")
# A failed send is retried after 1, 2, 4 … minutes (at most 6 hours apart), then given up.
OPENRD_MAIL_RETRY_BASE_SECONDS = int(os.environ.get("OPENRD_MAIL_RETRY_BASE_SECONDS", "60"))
OPENRD_MAIL_RETRY_MAX_SECONDS = 6 * 3600
OPENRD_MAIL_MAX_ATTEMPTS = int(os.environ.get("OPENRD_MAIL_MAX_ATTEMPTS", "12"))
OPENRD_MAIL_BATCH = 200

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
