"""Django settings for Sifa, read from the environment (12-factor).

Two modes, chosen by ``SIFA_MODE``:

* ``development`` — explicit opt-in (``sifa demo`` and the test suite set it): SQLite under ``var/``,
  a generated secret key kept in ``var/secret_key``, Celery on a local SQLite broker.
* ``production`` (the default when nothing is set) — fails closed: a secret key, explicit allowed
  hosts and encryption keys are required, DEBUG cannot be switched on. See ``docs/operations.md``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("SIFA_VAR_DIR", BASE_DIR / "var"))

MODE = os.environ.get("SIFA_MODE", "production").strip().lower()
if MODE not in {"development", "production"}:
    raise ImproperlyConfigured(f"SIFA_MODE must be 'development' or 'production', not {MODE!r}")
DEVELOPMENT = MODE == "development"


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _development_secret(name: str, nbytes: int = 48) -> str:
    """A per-checkout random secret for development, created once and kept in var/."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(nbytes))
        path.chmod(0o600)
    return path.read_text().strip()


# --- security: fail closed in production ---------------------------------------------------------
DEBUG = env_bool("SIFA_DEBUG", default=DEVELOPMENT)
SECRET_KEY = os.environ.get("SIFA_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("SIFA_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEVELOPMENT else "")
# Personal-data keys: "kid:base64key,kid2:base64key"; the first is used to encrypt, all to decrypt.
PERSONAL_DATA_KEYS = os.environ.get("SIFA_PERSONAL_DATA_KEYS", "")
BLIND_INDEX_KEY = os.environ.get("SIFA_BLIND_INDEX_KEY", "")

if DEVELOPMENT:
    SECRET_KEY = SECRET_KEY or _development_secret("secret_key")
    PERSONAL_DATA_KEYS = PERSONAL_DATA_KEYS or "dev1:" + _development_secret("personal_data_key", 32)
    BLIND_INDEX_KEY = BLIND_INDEX_KEY or _development_secret("blind_index_key", 32)
else:
    problems = []
    if len(SECRET_KEY) < 40:
        problems.append("SIFA_SECRET_KEY is missing or shorter than 40 characters")
    if DEBUG:
        problems.append("SIFA_DEBUG must be off in production")
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        problems.append("SIFA_ALLOWED_HOSTS must list the served host names (no '*')")
    if not PERSONAL_DATA_KEYS or not BLIND_INDEX_KEY:
        problems.append("SIFA_PERSONAL_DATA_KEYS and SIFA_BLIND_INDEX_KEY are required")
    if problems:
        raise ImproperlyConfigured(
            "Sifa refuses to start in production with insecure settings:\n  - "
            + "\n  - ".join(problems)
            + "\nSet SIFA_MODE=development for a local demo (see docs/operations.md)."
        )

# --- applications ---------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # the shared platform (大平台)
    "sifa.platform.orgs",
    "sifa.platform.accounts",
    "sifa.platform.audit",
    "sifa.platform.people",
    "sifa.platform.workflow",
    "sifa.platform.documents",
    "sifa.platform.ui",
]
# Domain apps register themselves here as they are built (one line each).
INSTALLED_APPS += [
    app
    for app in (
        "sifa.legal_services.advice",
        "sifa.legal_services.statutes",
        "sifa.penal.corrections",
        "sifa.penal.monitoring",
    )
    if (BASE_DIR / app.replace(".", "/") / "apps.py").exists()
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sifa.platform.audit.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "sifa.platform.accounts.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sifa.config.urls"
WSGI_APPLICATION = "sifa.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "sifa.platform.ui.context.navigation",
            ],
        },
    }
]

# --- database ---------------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("SIFA_DATABASE_URL", f"sqlite:///{VAR_DIR / 'sifa.sqlite3'}"),
        conn_max_age=int(os.environ.get("SIFA_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets the web process, the worker and beat share the file without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
    }
    # Tests use Django's in-memory SQLite (shared with the live-server thread): fast, and parallel
    # test runs on one machine cannot trample each other's database file.
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache (rate limits, throttles) -----------------------------------------------------------------
REDIS_URL = os.environ.get("SIFA_REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Shared between the processes `sifa demo` starts, unlike the in-process memory cache.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- background jobs (Celery) -----------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("SIFA_BROKER_URL", f"sqla+sqlite:///{VAR_DIR / 'broker.sqlite3'}")
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-job does not lose the job ...
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # ... it goes back to the queue; tasks are idempotent
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ALWAYS_EAGER = env_bool("SIFA_TASKS_EAGER", default=False)
# Redis redelivers a message a killed worker never acknowledged after this many seconds. The
# SQLAlchemy transport (embedded default) passes its options to create_engine, so only Redis gets it.
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(os.environ.get("SIFA_BROKER_VISIBILITY_TIMEOUT", "3600"))
    }
CELERY_BEAT_SCHEDULE = {
    "deadline-warnings": {"task": "sifa.platform.workflow.tasks.scan_deadlines", "schedule": 15 * 60.0},
    "corrections-unreported": {
        "task": "sifa.penal.corrections.tasks.flag_unreported_supervisees",
        "schedule": 3600.0,
    },
    "monitoring-escalate": {"task": "sifa.penal.monitoring.tasks.escalate_alerts", "schedule": 60.0},
    "monitoring-offline": {"task": "sifa.penal.monitoring.tasks.scan_offline", "schedule": 300.0},
    "monitoring-partitions": {"task": "sifa.penal.monitoring.tasks.maintain_positions", "schedule": 86400.0},
    "monitoring-lake": {"task": "sifa.penal.monitoring.tasks.export_positions_to_lake", "schedule": 86400.0},
}

# --- authentication ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "sifa.platform.accounts.backends.RoleBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "ui:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "sifa.platform.accounts.passwords.CharacterClassValidator"},
]
SESSION_COOKIE_AGE = int(os.environ.get("SIFA_SESSION_SECONDS", str(8 * 3600)))
SESSION_IDLE_TIMEOUT = int(os.environ.get("SIFA_SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEVELOPMENT
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
AXES_FAILURE_LIMIT = int(os.environ.get("SIFA_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes locked after too many failures
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
OTP_TOTP_ISSUER = "Sifa 智慧司法"

# --- i18n -------------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "sifa" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static files: from installed packages (npm / PyPI), never a CDN ------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
if DEVELOPMENT:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from finders in development
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    (prefix, NODE_MODULES / path)
    for prefix, path in (
        ("vendor/bootstrap", "bootstrap/dist"),
        ("vendor/bootstrap-icons", "bootstrap-icons/font"),
        ("vendor/echarts", "echarts/dist"),
        ("vendor/leaflet", "leaflet/dist"),
    )
    if (NODE_MODULES / path).exists()
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEVELOPMENT
MEDIA_ROOT = Path(os.environ.get("SIFA_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
SIFA_UPLOAD_MAX_BYTES = int(os.environ.get("SIFA_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))

# --- API -----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["sifa.platform.api.permissions.ScopedModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "sifa.platform.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"public": os.environ.get("SIFA_PUBLIC_RATE", "30/min")},
    "EXCEPTION_HANDLER": "sifa.platform.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sifa API",
    "DESCRIPTION": "数字法治·智慧司法 platform API. Every list is scoped to the caller's jurisdiction.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ApprovalStatusEnum": "sifa.penal.corrections.models.leave.ApprovalStatus",
        # the supervisee's deciding organ and a revocation case's receiving body share one choice set
        "DecidingOrganKindEnum": "sifa.penal.corrections.models.supervisee.DecidingOrganKind",
    },
}

# --- logging -----------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SIFA_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

FILTERS_EMPTY_CHOICE_LABEL = gettext_lazy("全部")  # instead of "---------" in filter dropdowns

SIFA_SHARED_DATA = Path(os.environ.get("SIFA_SHARED_DATA", BASE_DIR.parent / "shared" / "data"))
SIFA_NEAR_DUE_WORKDAYS = int(os.environ.get("SIFA_NEAR_DUE_WORKDAYS", "2"))
# Clocks counted in hours (社区矫正法 Art 47: 48 hours) are near due this many hours before the end.
SIFA_NEAR_DUE_HOURS = int(os.environ.get("SIFA_NEAR_DUE_HOURS", "12"))
