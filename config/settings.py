"""ModelPress settings: one file, read from the environment, safe defaults.

Every variable is listed in README.md. Without any of them set, the site runs on SQLite with a
local-memory cache, which is what `make run` uses.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name, default)
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string in production, "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # django.contrib.admin, whose default site treats hostile ids as missing (issue 12).
    "config.apps.ModelPressAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    # Full-text search fields and lookups (articles/search/); inert on SQLite.
    "django.contrib.postgres",
    "taggit",
    "axes",
    "articles",
    "models_catalog",
    # Queued tasks in the database for `make serve`'s worker (config/lib/tasks.py).
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "config.lib.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.lib.middleware.RejectNulBytesMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Cached public pages are served from here: everything above still applies to them.
    "config.lib.cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "django.template.context_processors.csp",
                "config.lib.context_processors.site",
            ],
        },
    },
]

# Form widgets render through TEMPLATES, so project templates can define widgets.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# SQLite is the embedded default; production sets DATABASE_URL to PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at the same time; the busy timeout waits for a lock
    # instead of failing with "database is locked" under concurrent requests.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_DIR = Path(os.environ.get("DJANGO_CACHE_DIR", BASE_DIR / ".cache"))
if REDIS_URL:
    _redis = {
        "BACKEND": "config.lib.adapters.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "modelpress",
    }
    # One cache for pages and generations: a page hit is a single round trip.
    CACHES = {"default": _redis, "generations": _redis}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "modelpress",
            # Per process: past it the least recently used third is dropped. Pages are
            # 13-135 KB (bench/results), entries at most PAGE_CACHE_MAX_BYTES.
            "OPTIONS": {"MAX_ENTRIES": 1000},
        },
        # Cache generations (config/lib/cache.py) must be shared by every worker process, so
        # without Redis they live in a small file-based cache on this machine.
        "generations": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": CACHE_DIR / "generations",
        },
    }

# Whole-page cache for anonymous readers (config/lib/cache.py); DJANGO_PAGE_CACHE=0 turns it off,
# e.g. to measure uncached pages.
PAGE_CACHE = env_bool("DJANGO_PAGE_CACHE", True)
# A response larger than this is served but not kept (issue 12). The largest pages are
# full sitemap files (5,000 URLs of ~120 bytes, ~600 KB); an export of more than a few
# hundred catalog entries (/models.json, /models.csv) is larger: rendered on each request.
PAGE_CACHE_MAX_BYTES = 1024 * 1024
# With Redis, seconds a write may spend rendering the pages it changed before it is
# published, so readers do not wait for them (config/lib/warming.py); 0 turns that off.
PAGE_CACHE_WARM_SECONDS = float(os.environ.get("DJANGO_PAGE_CACHE_WARM_SECONDS", "1.0"))
# One hit in this many is counted; the pages a write renders ahead are those readers read
# (a hit counted), the most read first. 1 counts every hit (one more Redis round trip each).
PAGE_CACHE_HIT_SAMPLE = max(1, int(os.environ.get("DJANGO_PAGE_CACHE_HIT_SAMPLE", "16")))
# The edge cache (config/lib/edge.py, `make serve-edge`): each URL in EDGE_PURGE_URLS
# (comma-separated, e.g. http://127.0.0.1:6081/) receives a PURGE with the keys of every
# write; only then may the edge keep public pages, for EDGE_MAX_AGE seconds (s-maxage).
EDGE_PURGE_URLS = [url for url in os.environ.get("EDGE_PURGE_URLS", "").split(",") if url.strip()]
EDGE_MAX_AGE = int(os.environ.get("EDGE_MAX_AGE", 24 * 60 * 60))
EDGE_KEYS_MAX_LENGTH = 4000  # characters of surrogate keys per response; more: whole halves

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "config" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Uploads live on this machine's filesystem (MEDIA_ROOT) unless DJANGO_MEDIA_STORAGE=s3 puts
# them in an S3-compatible bucket (AWS S3, MinIO, R2...) through django-storages, which is what
# lets several app servers share them (issue 7). Credentials come from boto3's usual chain
# (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or the machine's role), never from this file.
MEDIA_STORAGE = os.environ.get("DJANGO_MEDIA_STORAGE", "filesystem")
if MEDIA_STORAGE == "s3":
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("DJANGO_MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    MEDIA_BACKEND = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            # Public images: plain URLs (a CDN can cache them), no expiring signatures.
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", False),
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
elif MEDIA_STORAGE == "filesystem":
    MEDIA_BACKEND = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured("DJANGO_MEDIA_STORAGE must be 'filesystem' or 's3'.")

STORAGES = {
    "default": MEDIA_BACKEND,
    # Hashed, compressed names in production; plain files while developing so that
    # runserver works without collectstatic.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0

TAGGIT_CASE_INSENSITIVE = True
# Commas (or semicolons) separate tags and spaces do not: "Llama 3.1" is one tag.
TAGGIT_TAGS_FROM_STRING = "config.lib.tagging.parse_tags"
TAGGIT_STRING_FROM_TAGS = "config.lib.tagging.format_tags"

# JSON dumps keep microseconds (Django's encoder drops them), so a backup restores exactly.
SERIALIZATION_MODULES = {"json": "config.lib.serializers"}

SITE_NAME = "ModelPress"
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Security (issue 8) --------------------------------------------------------------------
# Production (DEBUG off) is HTTPS-only by default; `manage.py check --deploy` is clean with a
# real key and host. `make serve` runs plain HTTP on 127.0.0.1, so it turns the HTTPS-only
# switches off through DJANGO_SECURE_SSL_REDIRECT=0 and DJANGO_SECURE_COOKIES=0.
ADMIN_PATH = os.environ.get("DJANGO_ADMIN_PATH", "admin/").strip("/") + "/"

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    # Only behind a proxy that sets (and overwrites) X-Forwarded-Proto itself.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True  # no script here reads either cookie
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"

# Public pages have no inline script or style (they will be cached whole, so they must
# never carry a per-request nonce). The admin's templates mark their tags with
# {% csp_nonce_attr %}. Style *attributes* cannot take a nonce: the few we emit are allowed
# one by one, by hash ('unsafe-hashes' covers exactly these strings, nothing else).
CSP_STYLE_ATTRIBUTE_HASHES = [
    "'sha256-IvYCOyinH/elN38iOtBsNjs0vh5wYm44LqtRBUP1C9s='",  # admin image preview
    "'sha256-zBL02WRZBwy3p1jV7+NnPiGonpfMPktsZjFGIC4PQOw='",  # draft preview banner
]


def _media_origins():
    """Where uploaded images are served from when that is not this site (S3 media)."""
    extra = env_list("DJANGO_CSP_IMG_SRC", "")
    if MEDIA_STORAGE != "s3":
        return extra
    options = MEDIA_BACKEND["OPTIONS"]
    if options["custom_domain"]:
        return [f"https://{options['custom_domain'].split('/')[0]}", *extra]
    if options["endpoint_url"]:
        endpoint = urlsplit(options["endpoint_url"])
        return [f"{endpoint.scheme}://{endpoint.netloc}", *extra]
    bucket, region = options["bucket_name"], options["region_name"]
    hosts = [f"{bucket}.s3.amazonaws.com"] + (
        [f"{bucket}.s3.{region}.amazonaws.com"] if region else []
    )
    return [f"https://{host}" for host in hosts] + extra


MEDIA_ORIGINS = _media_origins()
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE, CSP.UNSAFE_HASHES, *CSP_STYLE_ATTRIBUTE_HASHES],
    "img-src": [CSP.SELF, *MEDIA_ORIGINS],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "media-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "frame-src": [CSP.NONE],
    "worker-src": [CSP.NONE],
    "manifest-src": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if SECURE_SSL_REDIRECT:
    SECURE_CSP["upgrade-insecure-requests"] = True
# Sent by config.lib.middleware.PermissionsPolicyMiddleware: features this site never uses.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media",
        "fullscreen", "geolocation", "gyroscope", "magnetometer", "microphone", "midi",
        "payment", "picture-in-picture", "publickey-credentials-get", "screen-wake-lock",
        "serial", "sync-xhr", "usb", "xr-spatial-tracking",
    )
}  # fmt: skip

# Admin login lockout (django-axes): five failures in a row lock that user name, and
# separately that IP address, for 15 minutes; a successful login clears the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_ALLOWED_CORS_ORIGINS = SITE_URL  # not "*", the default
# Behind N reverse proxies of ours, the lockout must count the reader's address, not theirs.
PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "config.lib.middleware.client_ip"
# --- End of security ------------------------------------------------------------------------

# --- Background work and mail ----------------------------------------------------------------
# Work that must not block a save (mail, edge purges) runs as tasks: in a worker
# (`manage.py db_worker`, started by `make serve`) with DJANGO_TASKS=database, the default
# when debug is off; at once, in the request, with DJANGO_TASKS=immediate (`make run`, tests).
TASKS_MODE = os.environ.get("DJANGO_TASKS", "immediate" if DEBUG else "database")
if TASKS_MODE not in ("immediate", "database"):
    raise ImproperlyConfigured("DJANGO_TASKS must be 'immediate' or 'database'.")
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if TASKS_MODE == "database"
        else "django.tasks.backends.immediate.ImmediateBackend"
    }
}


def _mailer(url):
    """The default mailer from one URL: console:// (the default), smtp://user:pass@host:587
    ?tls=1, smtps://… (implicit TLS), locmem:// or dummy://."""
    parts = urlsplit(url)
    if parts.scheme not in {"console", "locmem", "dummy", "smtp", "smtps"}:
        raise ImproperlyConfigured(f"EMAIL_URL: unknown scheme {parts.scheme!r}.")
    kind = "smtp" if parts.scheme == "smtps" else parts.scheme
    mailer = {"BACKEND": f"django.core.mail.backends.{kind}.EmailBackend"}
    if kind == "smtp":
        query = dict(pair.split("=", 1) for pair in parts.query.split("&") if "=" in pair)
        mailer["OPTIONS"] = {
            "host": parts.hostname or "localhost",
            "port": parts.port or (465 if parts.scheme == "smtps" else 25),
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_ssl": parts.scheme == "smtps",
            "use_tls": query.get("tls", "") in ("1", "true", "yes"),
            "timeout": int(query.get("timeout", "10")),
        }
    return mailer


# Printed on the console while developing; in production the machine's own mail server
# unless EMAIL_URL says otherwise (Django's deploy check refuses a console mailer there).
# Tests get the locmem backend from Django's test set-up, whatever this says.
MAILERS = {
    "default": _mailer(os.environ.get("EMAIL_URL", "console://" if DEBUG else "smtp://localhost"))
}
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "ModelPress <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Shown on the About and corrections pages: where readers report a mistake (issue 17).
CORRECTIONS_EMAIL = os.environ.get("DJANGO_CORRECTIONS_EMAIL", "corrections@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
