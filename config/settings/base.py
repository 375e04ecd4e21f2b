"""Settings shared by every environment, read from environment variables (12-factor).

The embedded default is SQLite with demo mode on, so that a new user runs the whole
platform with no server. `config.settings.production` hardens this profile.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF

from tpj.core.logging import init_error_reports, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()


def _origin(url: str) -> str:
    """scheme://host of a URL template, "{s}" sub-domains as a wildcard (for the CSP)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="insecure-dev-key-only-for-the-embedded-demo")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Demo mode creates and accepts the demo accounts; production refuses them.
DEMO_MODE = env.bool("DEMO_MODE", default=True)
# The public root of the site: every absolute link (e-mails sent by workers, QR codes, the
# verification page, open-data addresses, permalinks) is built from it (tpj.core.urls_absolute).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "tpj.core.apps.AdminConfig",  # django.contrib.admin opened by the policy
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "dsfr",
    # Form templates read through TEMPLATES (FORM_RENDERER below): Django's own widgets,
    # after django-dsfr's overrides of them, and widget_tweaks, which dsfr's snippets load.
    "django.forms",
    "widget_tweaks",
    "django_htmx",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "csp",
    "mozilla_django_oidc",
    "huey.contrib.djhuey",  # the task queue: `manage.py run_huey` is the worker
    # Foundation
    "tpj.core",
    "tpj.audit",
    "tpj.outbox",  # every e-mail: written with the change that causes it, then sent
    "tpj.downloads",  # large exports built by the workers, offered in « Mes téléchargements »
    "tpj.notifications",  # what each person is told: the bell, e-mails, daily digests
    "tpj.conversations",  # one conversation per file (application, registry entry)
    "tpj.territories",
    "tpj.nomenclatures",
    "tpj.accounts",
    "tpj.demo",
    # Module 1 — annuaire & carte
    "tpj.registry",
    # Module 2 — appels à projets régionaux
    "tpj.calls",
    # Module 4 — offre de formation Enfance=Égalité
    "tpj.training",
    # Module 3 — valorisation & pilotage national
    "tpj.valorisation",
    # Personal data (RGPD): register, export, account deletion, draft retention
    "tpj.privacy",
    # « Mon espace »: what each person must do now, one section per role (reads every module)
    "tpj.workspace",
]

MIDDLEWARE = [
    "tpj.core.logging.RequestIdMiddleware",  # every log line of a request carries its id
    # /sante/ answered before the host check and the HTTPS redirect: a load balancer probes
    # each node by its own address, often in plain HTTP.
    "tpj.core.views_health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Public reads (issue 16): after whitenoise, which serves static files with its own
    # compressed copies, and after the CSP and security middlewares, which add their
    # headers to every answer, cached or not; before the session, CSRF and authentication
    # middlewares, which a cache hit skips (one version read, one cache read). Compression
    # wraps the cache so that it sees every other answer; it skips the stored ones, already
    # compressed once when stored (tpj/core/public_cache).
    "tpj.core.public_cache.compression.CompressionMiddleware",
    "tpj.core.public_cache.middleware.PublicCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # No control character in paths, query strings and form data (issue 13 §4).
    "tpj.core.middleware.ControlCharactersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Refused actions held during the request's transaction (ATOMIC_REQUESTS) are written after it.
    "tpj.audit.middleware.HeldAuditEventsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tpj" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tpj.core.context_processors.site",
                "tpj.notifications.context_processors.bell",  # the header's unread count (signed-in users)
                "csp.context_processors.nonce",  # {{ CSP_NONCE }} for any inline <script nonce=…>
            ],
        },
    },
]

# Forms are drawn with django-dsfr's field templates (tpj/core/forms.py).
FORM_RENDERER = "tpj.core.forms.DsfrFormRenderer"
# django-dsfr's alerts (Django messages) would otherwise print their text as HTML; messages
# may quote what users typed.
DSFR_CONTENT_IS_SAFE = False

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the embedded database serve concurrent readers.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        # A 128 MB page cache (default 2 MB) keeps the indexes of a large directory in memory.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-131072;",
        "transaction_mode": "IMMEDIATE",
    }
# Persistent connections: each web thread keeps its connection between requests (opening one,
# on SQLite too, costs more than serving a cached public read: measured by `make loadtest`). The
# development server starts a thread per request, so the embedded default keeps 0 unless told;
# the production profile (gunicorn) keeps connections 60 s on both back-ends.
DATABASES["default"]["CONN_MAX_AGE"] = env.int(
    "CONN_MAX_AGE", default=0 if DATABASES["default"]["ENGINE"].endswith("sqlite3") else 60
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# A Redis that is down slows nothing and breaks no page: each cache call gives up after a
# second and is logged (logger tpj.cache), reads miss, writes are dropped. The login lockout
# then counts nothing until Redis is back (tpj/accounts/throttle.py fails open).
REDIS_CACHE_OPTIONS = {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1}
if CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache":
    CACHES["default"].setdefault("OPTIONS", {}).update(REDIS_CACHE_OPTIONS)
# The public cache (tpj/core/public_cache): anonymous public reads, keyed by their scope's
# content version. In production, the same Redis as the default cache under its own key
# prefix; on the embedded default, a locmem cache of its own (per process), so that pages
# never evict the login lockout counters of the default cache. PUBLIC_CACHE_SECONDS bounds
# how long a variant nobody asks for stays stored (a version bump makes it unreachable at
# once); 0 turns the public cache off (compression stays).
PUBLIC_CACHE_ALIAS = "public"
PUBLIC_CACHE_SECONDS = env.int("PUBLIC_CACHE_SECONDS", default=600)


def public_cache_settings(default: dict) -> dict:
    """The public cache beside a given default cache (production.py redefines the default)."""
    if default["BACKEND"] == "django_redis.cache.RedisCache":
        return {**default, "KEY_PREFIX": "public"}
    return {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "public-reads",
        "OPTIONS": {"MAX_ENTRIES": env.int("PUBLIC_CACHE_MAX_ENTRIES", default=20000)},
    }


CACHES[PUBLIC_CACHE_ALIAS] = public_cache_settings(CACHES["default"])
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "tpj.cache"
# Sessions in the database: shared by every web node, and kept when the cache is down.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["tpj.accounts.backends.EmailBackend"]
OIDC_ENABLED = env.bool("OIDC_ENABLED", default=False)
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("tpj.accounts.oidc.ProConnectBackend")
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = "openid email given_name usual_name siret"
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_LOGOUT_ENDPOINT = env("OIDC_OP_LOGOUT_ENDPOINT", default="")
OIDC_TIMEOUT = 10
# ProConnect's logout needs the id_token; a failed login comes back to our login page.
OIDC_STORE_ID_TOKEN = True
OIDC_AUTHENTICATE_CLASS = "tpj.accounts.oidc.ProConnectRequestView"  # 404 while OIDC_ENABLED is off
LOGIN_REDIRECT_URL_FAILURE = "/comptes/connexion/?proconnect=echec"

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workspace:index"
LOGOUT_REDIRECT_URL = "core:home"
# Days during which an e-mail confirmation link stays valid.
EMAIL_CONFIRMATION_MAX_AGE_DAYS = env.int("EMAIL_CONFIRMATION_MAX_AGE_DAYS", default=3)
# Abandoned drafts and rejected registrations untouched for this many days are purged (manage.py purge_drafts).
DRAFT_RETENTION_DAYS = env.int("DRAFT_RETENTION_DAYS", default=365)
# Outbox messages: sent ones are deleted this many days after sending, failed ones this many
# days after their last attempt (never those still to send, nor decision letters and
# conventions: tpj.outbox.retention).
OUTBOX_SENT_RETENTION_DAYS = env.int("OUTBOX_SENT_RETENTION_DAYS", default=180)
OUTBOX_FAILED_RETENTION_DAYS = env.int("OUTBOX_FAILED_RETENTION_DAYS", default=365)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# The embedded default serves static files straight from the apps and node_modules
# (no collectstatic needed); production serves the collected, hashed files.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
WHITENOISE_AUTOREFRESH = DEBUG
# Third-party front-end libraries installed by npm from package-lock.json.
STATICFILES_DIRS = [
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
]
STORAGES = {
    # Uploaded files (evidence, call documents) live outside the static path and are
    # served only through views that check permissions.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = STORAGES["default"]["OPTIONS"]["location"]
# Uploads are read and written only through Django's storage API (FieldFile.open/save,
# default_storage), so object storage needs no code change: FILE_STORAGE=s3 stores them in an
# S3-compatible bucket (django-storages). Credentials come from AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY in the environment (read by boto3, never written here). Files stay
# private: served by the views that check permissions, never by a public bucket URL.
FILE_STORAGE = env("FILE_STORAGE", default="filesystem")
if FILE_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),  # Scaleway, OVH, MinIO…
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "location": env("AWS_LOCATION", default=""),  # a prefix inside the bucket
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,  # two uploads of one name keep both, as on the filesystem
        },
    }
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# Background work (tpj/core/queue.py): huey. The embedded default keeps its queue in a SQLite
# file beside the database, so the demo needs no server; production names Redis with
# QUEUE_URL=redis://… and runs `manage.py run_huey` on worker machines (Procfile: worker).
QUEUE_URL = env("QUEUE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'queue.sqlite3'}")
QUEUE_WORKERS = env.int("QUEUE_WORKERS", default=2)
HUEY = {
    "name": "tpj",
    "immediate": env.bool("QUEUE_IMMEDIATE", default=False),  # run tasks in the caller (tests)
    "utc": True,
    "results": False,  # tasks write their outcome to the database, never to the queue
    "consumer": {
        "workers": QUEUE_WORKERS,
        # Threads on the embedded default (one process, one SQLite file); processes in production.
        "worker_type": env("QUEUE_WORKER_TYPE", default="thread"),
        "check_worker_health": True,
        "periodic": True,  # the scheduled jobs (docs/operations.md) run on the workers' own clock
        # The SQLite queue file is polled (Redis blocks on its list instead): huey's default
        # backoff stretches the wait between polls of an idle queue to 10 s, so the first task
        # after a quiet minute waited seconds to start. 1 s bounds that (docs/benchmarks.md).
        "max_delay": 1.0,
    },
}
if QUEUE_URL.startswith(("redis://", "rediss://", "unix://")):
    HUEY.update({"huey_class": "huey.RedisHuey", "url": QUEUE_URL})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": QUEUE_URL.removeprefix("sqlite:///")})
    # huey opens its file as soon as Django starts (any manage.py command): on a fresh
    # clone, var/ does not exist yet.
    Path(HUEY["filename"]).parent.mkdir(parents=True, exist_ok=True)
# A worker's claim on an import job, renewed with each chunk: past it, the worker is taken for
# dead and `recover_imports` (every minute) queues the job again (the scale check shortens it).
IMPORT_LEASE_SECONDS = env.int("IMPORT_LEASE_SECONDS", default=60)

# Scheduled jobs (docs/operations.md): reminders, the yearly review of registry entries,
# the moderators' digest. Days before a deadline at which each reminder goes out.
CALLS_DEADLINE_REMINDER_DAYS = (14, 7, 1)  # national deadlines, to the ARS and DREETS late
CALLS_DRAFT_REMINDER_DAYS = (7, 1)  # a call's closing, to the authors of draft applications
CALLS_JURY_REMINDER_DAYS = (7, 1)  # the jury's date, to jurors with files to score (else weekly)
REGISTRY_REVIEW_INTERVAL_DAYS = env.int("REGISTRY_REVIEW_INTERVAL_DAYS", default=365)
REGISTRY_REVIEW_ANSWER_DAYS = env.int("REGISTRY_REVIEW_ANSWER_DAYS", default=30)  # then suspension proposed
REGISTRY_REVIEW_BATCH = env.int("REGISTRY_REVIEW_BATCH", default=1000)  # entries asked per hourly run
REGISTRY_MODERATION_AGEING_DAYS = env.int("REGISTRY_MODERATION_AGEING_DAYS", default=7)

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Territoires des 1000 premiers jours <ne-pas-repondre@1000jours.example>")
# Another e-mail backend than EMAIL_URL's SMTP, e.g. a provider through django-anymail:
# EMAIL_BACKEND=anymail.backends.brevo.EmailBackend and ANYMAIL='{"BREVO_API_KEY": "…"}'.
if env("EMAIL_BACKEND", default=""):
    EMAIL_BACKEND = env("EMAIL_BACKEND")
ANYMAIL = env.json("ANYMAIL", default={})
# The outbox (tpj.outbox): workers send each message; a refused one is tried again after
# 1, 5, 25, 125… minutes, and is failed for good (listed to staff) after OUTBOX_MAX_ATTEMPTS
# attempts. A worker's claim on a message lasts OUTBOX_LEASE_SECONDS (far above EMAIL_TIMEOUT):
# past it, the worker is presumed dead and the message is sent by another.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=5)
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=300)
# Seconds before an unreachable mail server gives up (Django waits forever by default).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=EMAIL_CONFIG.get("EMAIL_TIMEOUT") or 20)

REST_FRAMEWORK = {
    # Token first: an API client without valid credentials gets 401 (WWW-Authenticate: Token).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tpj.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Closed by default: a new endpoint is public only if it declares AllowAny itself.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON bounded in size and depth before parsing, objects only for POST/PUT/PATCH (tpj.core.parsers);
    # no control character in any text of a body (JSON, form or multipart): a French 400 per field.
    "DEFAULT_PARSER_CLASSES": [
        "tpj.core.parsers.JSONParser",
        "tpj.core.parsers.FormParser",
        "tpj.core.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "tpj.core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "tpj.core.openapi.AutoSchema",  # French texts from extend_schema, never docstrings
    "EXCEPTION_HANDLER": "tpj.core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon_write": "30/minute", "login": "10/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API Territoires des 1000 premiers jours",
    "DESCRIPTION": (
        "API de la plateforme partagée de la politique des 1000 premiers jours : annuaire des acteurs, appels à "
        "projets régionaux, valorisation et pilotage national. Réponses en JSON, messages en français. "
        "Documentation lisible : /api/v1/docs/."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its documentation are public, like the open data they describe.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models name a field "kind": the per-call questions' types get their own name.
    "ENUM_NAME_OVERRIDES": {
        "QuestionKindEnum": "tpj.calls.models.questions.QuestionKind",
        "TrainingAudienceEnum": "tpj.training.models.offers.Audience",
        "ExportStatusEnum": "tpj.downloads.models.ExportJob.Status",
        "ImportStatusEnum": "tpj.registry.models.imports.ImportJob.Status",
    },
    # Each view names its tag (extend_schema(tags=[…])); the documentation page follows this order.
    "TAGS": [
        {
            "name": "Compte et jeton",
            "description": "Obtenir un jeton d'accès et lire son propre compte, ses rôles et périmètres.",
        },
        {
            "name": "Données personnelles",
            "description": "Exercer ses droits (RGPD) : exporter ses données, supprimer son compte.",
        },
        {"name": "Territoires", "description": "Référentiel public des régions, départements et communes (codes INSEE)."},
        {
            "name": "Nomenclatures",
            "description": "Référentiels publics : priorités, axes nationaux, situations d'éligibilité, catégories, "
            "types de fiche, sources de financement et thèmes de formation.",
        },
        {
            "name": "Annuaire",
            "description": "Module 1 : fiches des acteurs des 1000 premiers jours, leur modération et la carte.",
        },
        {"name": "Appels à projets", "description": "Module 2 : appels à projets régionaux, de la rédaction à la transmission."},
        {
            "name": "Candidatures",
            "description": "Module 2 : candidatures des porteurs, instruction par les gestionnaires, notation du jury.",
        },
        {
            "name": "Projetothèque",
            "description": "Module 3 : projets lauréats publiés, une fois la liste de leur appel transmise.",
        },
        {"name": "Mesures nationales", "description": "Module 3 : mesures nationales, leur avancement et leurs déploiements."},
        {
            "name": "Répartitions",
            "description": "Module 3 : répartition d'un nombre national de postes entre régions selon les naissances.",
        },
        {"name": "Tableau de bord", "description": "Module 3 : le tableau de bord national, selon votre périmètre."},
        {
            "name": "Offre de formation",
            "description": "Module 4 : offres de formation Enfance=Égalité publiées et leurs sessions, avec leurs filtres.",
        },
    ],
    # Error responses (400/401/403/404/429) documented on every operation.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "tpj.core.openapi.document_error_responses"],
}

# Base-map tiles: configurable; the map still shows territories and counts without them.
MAP_TILES_URL = env("MAP_TILES_URL", default="https://{s}.tile.openstreetmap.fr/osmfr/{z}/{x}/{y}.png")
MAP_TILES_ATTRIBUTION = env("MAP_TILES_ATTRIBUTION", default="© les contributeurs d'OpenStreetMap")
# Geocoding adapter: "ban" (Base Adresse Nationale / Géoplateforme) or "offline" (commune centre).
GEOCODER = env("GEOCODER", default="offline")
GEOCODER_BAN_URL = env("GEOCODER_BAN_URL", default="https://data.geopf.fr/geocodage/search")
SIRENE = env("SIRENE", default="offline")  # Sirene adapter (tpj.core.sirene): "api" (Recherche d'entreprises) or "offline"

# Content Security Policy (django-csp), enforced in every profile so that tests see what
# production does: scripts only from this site (or with the per-request nonce), map tiles
# from the configured tile server. DSFR and Leaflet set styles from JS and markup.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:", _origin(MAP_TILES_URL)],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF, _origin(GEOCODER_BAN_URL)],
        "worker-src": [SELF, "blob:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF, _origin(OIDC_OP_AUTHORIZATION_ENDPOINT)] if OIDC_OP_AUTHORIZATION_ENDPOINT else [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# Sessions: a working day; cookies never readable by scripts.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Login lockout (tpj/accounts/throttle.py): after LOGIN_FAILURE_LIMIT failures for one
# address, or LOGIN_FAILURE_LIMIT_PER_IP from one client, wait LOGIN_LOCKOUT_SECONDS.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_LIMIT_PER_IP = env.int("LOGIN_FAILURE_LIMIT_PER_IP", default=30)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)

# Logs on the standard error: LOG_FORMAT=json (one JSON object per line, production's default)
# or text; each line of a request carries its id (X-Request-ID). tpj/core/logging.py.
LOG_FORMAT = env("LOG_FORMAT", default="text")
LOG_LEVEL = env("LOG_LEVEL", default="WARNING")
LOGGING = logging_config(LOG_FORMAT, LOG_LEVEL)

# Error reports (sentry-sdk, or a compatible service such as GlitchTip): off without a DSN.
SENTRY_DSN = env("SENTRY_DSN", default="")
ERROR_REPORTS = init_error_reports(
    SENTRY_DSN,
    environment=env("SENTRY_ENVIRONMENT", default=""),
    release=env("SENTRY_RELEASE", default=""),
    traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
)
