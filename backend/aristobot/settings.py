"""Réglages Django d'Aristobot V3.

Tout vient de l'environnement (voir `.env.example` à la racine du dépôt) ; un fichier `.env`
à la racine est lu s'il existe. Hors mode debug, un réglage sans valeur sûre par défaut
(`SECRET_KEY`) empêche le démarrage.
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = BASE_DIR.parent

env = environ.Env()
if (REPO_DIR / ".env").is_file():
    environ.Env.read_env(str(REPO_DIR / ".env"), overwrite=False)

DEBUG: bool = env.bool("DEBUG", default=False)
DEBUG_ARISTOBOT: bool = env.bool("DEBUG_ARISTOBOT", default=False)

_DEV_SECRET = "aristobot-dev-insecure-secret-key-ne-pas-utiliser-en-production"
SECRET_KEY: str = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG or DEBUG_ARISTOBOT or env.bool("ARISTOBOT_ALLOW_DEV_SECRET", default=False):
        SECRET_KEY = _DEV_SECRET
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY manquante : définissez-la dans l'environnement ou dans .env "
            "(elle sert aussi à chiffrer les clés API)."
        )

ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list(
    "CSRF_TRUSTED_ORIGINS",
    default=[
        "http://localhost:8000",
        "http://127.0.0.1:8000",
        "http://localhost:5173",
        "http://127.0.0.1:5173",
    ],
)

INSTALLED_APPS = [
    "daphne",
    # Avant django.contrib.auth : sa commande `createsuperuser` (limite de 5 en français) prime.
    "apps.accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI servi localement (aucun CDN : l'app marche hors ligne)
    "apps.core",
    "apps.heartbeat",
    "apps.brokers",
    "apps.trading",
    "apps.market_data",
    "apps.strategies",
    "apps.trading_engine",
    "apps.trading_manual",
    "apps.backtest",
    "apps.webhooks",
    "apps.stats",
    "apps.notifications",
    "apps.devtools",  # outils de développement : run_exchange_simulator (paquet exchange_simulator)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "apps.core.middleware.BadInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.accounts.middleware.DebugAristobotMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "aristobot.urls"
ASGI_APPLICATION = "aristobot.asgi.application"
WSGI_APPLICATION = None

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
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/aristobot"
    )
}
DATABASES["default"].setdefault("CONN_MAX_AGE", 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str(
    "TEST_DATABASE_NAME", default="test_aristobot"
)

REDIS_URL: str = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            # socket_timeout=None : avec redis-py 8, le délai par défaut de 5 s fait planter
            # les consommateurs inactifs (BZPOPMIN), voir channels_redis #422.
            "hosts": [{"address": REDIS_URL, "socket_timeout": None}],
            "prefix": env.str("CHANNEL_LAYER_PREFIX", default="aristobot"),
            "capacity": 1000,
            "expiry": 60,
        },
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login"

LANGUAGE_CODE = "fr"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = REPO_DIR / ".data" / "static"
FRONTEND_DIST_DIR = Path(env.str("FRONTEND_DIST_DIR", default=str(REPO_DIR / "frontend" / "dist")))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # la SPA lit le cookie pour l'en-tête X-CSRFToken

# Déploiement derrière HTTPS (voir .env.example) : cookies sécurisés, HSTS, redirection vers HTTPS.
# Valeurs par défaut adaptées à l'usage local en http://127.0.0.1 ; `manage.py check --deploy`
# est propre quand elles sont activées.
SESSION_COOKIE_SECURE: bool = env.bool("ARISTOBOT_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE: bool = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT: bool = env.bool("ARISTOBOT_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS: int = env.int("ARISTOBOT_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS: bool = env.bool("ARISTOBOT_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD: bool = env.bool("ARISTOBOT_HSTS_PRELOAD", default=False)
if env.bool("ARISTOBOT_BEHIND_HTTPS_PROXY", default=False):  # le proxy pose X-Forwarded-Proto
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Administration Django (/admin/) : absente sauf si ARISTOBOT_ADMIN_ENABLED=True.
ARISTOBOT_ADMIN_ENABLED: bool = env.bool("ARISTOBOT_ADMIN_ENABLED", default=False)
# Connexion : échecs tolérés par nom d'utilisateur et par adresse IP sur 15 minutes (au-delà : 429).
ARISTOBOT_LOGIN_FAILURES_PER_USER: int = env.int("ARISTOBOT_LOGIN_FAILURES_PER_USER", default=5)
ARISTOBOT_LOGIN_FAILURES_PER_IP: int = env.int("ARISTOBOT_LOGIN_FAILURES_PER_IP", default=20)
ARISTOBOT_LOGIN_WINDOW_S: int = env.int("ARISTOBOT_LOGIN_WINDOW_S", default=900)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["apps.core.parsers.StrictJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.exception_handler.aristobot_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "API Aristobot V3",
    "DESCRIPTION": "API REST du bot de trading personnel Aristobot V3 (erreurs en français).",
    "VERSION": "3.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Statuts des backtests et des optimisations (mêmes choix) : un seul enum nommé.
    "ENUM_NAME_OVERRIDES": {"BacktestStatusEnum": "apps.backtest.models.BacktestResult.Status"},
}

# --- Aristobot -------------------------------------------------------------------------------
ARISTOBOT_MAX_USERS = 5
ARISTOBOT_MAX_ACTIVE_STRATEGIES = 20
ARISTOBOT_BINANCE_REST_URL: str = env.str(
    "ARISTOBOT_BINANCE_REST_URL", default="https://api.binance.com"
)
# Délai d'une requête CCXT (ms) : au-delà, lecture rejouée ; ordre recherché par son client_order_id.
ARISTOBOT_CCXT_TIMEOUT_MS: int = env.int("ARISTOBOT_CCXT_TIMEOUT_MS", default=10_000)
ARISTOBOT_BINANCE_WS_URL: str = env.str(
    "ARISTOBOT_BINANCE_WS_URL", default="wss://stream.binance.com:9443"
)
HEARTBEAT_SYMBOLS: list[str] = [
    s.strip().upper() for s in env.list("HEARTBEAT_SYMBOLS", default=["BTCUSDT"]) if s.strip()
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "simple": {"format": "%(asctime)s %(levelname)s %(name)s : %(message)s"},
    },
    # Aucun secret dans une ligne de journal (URL avec identifiants, signatures, jetons…).
    "filters": {"redact": {"()": "apps.core.log_redaction.RedactSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "simple",
                             "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},  # une ligne par requête, URL comprise (jeton Telegram)
    },
}

# Fonction qui calcule la barre de statut d'un utilisateur (le cœur ne dépend pas de `stats`).
ARISTOBOT_STATUS_PROVIDER = "apps.stats.selectors.status_snapshot"
# Apps dont les événements vont au navigateur par /ws/heartbeat/ : chaque module déclare ses
# LIVE_GROUPS (groupes rejoints) et LIVE_EVENTS (types relayés tels quels).
ARISTOBOT_LIVE_MESSAGES = [
    "apps.heartbeat.messages",
    "apps.market_data.messages",
    "apps.trading.messages",
    "apps.trading_engine.messages",
    "apps.webhooks.messages",
]
# Gestion des utilisateurs (accounts n'importe pas le moteur) : stratégies live et positions par
# utilisateur, et arrêt de ses stratégies avant sa suppression.
ARISTOBOT_USER_TRADING_SUMMARY = "apps.trading_engine.selectors.trading_summary_by_user"
ARISTOBOT_USER_RELEASE = "apps.trading_engine.services.user_trading_release"
# Exécuteur des webhooks en attente, branché dans le moteur de trading (le moteur n'importe pas
# l'app webhooks ; elle expose `group`, `message_type`, `run(stop)`, `handle_message`, `recover`).
ARISTOBOT_WEBHOOK_EXECUTOR = "apps.webhooks.executor.WebhookExecutor"
# Venue des brokers papier, renvoyé par `core.services.ccxt_manager.exchange_get` (le cœur
# n'importe pas l'app brokers) : interface CCXT asynchrone, soldes et ordres en base.
ARISTOBOT_PAPER_EXCHANGE = "apps.brokers.paper.exchange.PaperExchange"

# Notifications Telegram (docs/telegram.md) : base de l'API Bot (un faux serveur en test), crochets
# de fin d'ordre (le chemin des ordres n'importe pas les notifications) et positions ouvertes du
# résumé quotidien (fournies par le moteur). Délais : ARISTOBOT_NOTIFICATIONS_<NOM> (config.py).
ARISTOBOT_TELEGRAM_API_URL: str = env.str("ARISTOBOT_TELEGRAM_API_URL", default="https://api.telegram.org")
ARISTOBOT_TRADE_HOOKS = ["apps.notifications.events.trade_finalized"]
ARISTOBOT_NOTIFICATIONS_OPEN_POSITIONS = "apps.trading_engine.selectors.open_positions_summary"

# Webhooks : proxies dont l'en-tête X-Forwarded-For est cru, IP autorisées en plus de TradingView.
ARISTOBOT_WEBHOOK_TRUSTED_PROXIES: list[str] = env.list("ARISTOBOT_WEBHOOK_TRUSTED_PROXIES", default=[])
ARISTOBOT_WEBHOOK_EXTRA_IPS: list[str] = env.list("ARISTOBOT_WEBHOOK_EXTRA_IPS", default=[])
ARISTOBOT_PUBLIC_URL: str = env.str("ARISTOBOT_PUBLIC_URL", default="")

# Assistant IA des stratégies : URL de base d'OpenRouter (un faux serveur en test) et délai (s).
ARISTOBOT_OPENROUTER_URL: str = env.str("ARISTOBOT_OPENROUTER_URL", default="https://openrouter.ai")
ARISTOBOT_AI_TIMEOUT_S: float = env.float("ARISTOBOT_AI_TIMEOUT_S", default=60.0)

# Bac à sable des stratégies (docs/strategies.md §2). Un backtest est un enfant confiné : limite de
# temps (horloge murale et CPU, s), mémoire ajoutée (Mo) et taille maximale de son résultat (Mo).
# L'uid dédié des enfants (service lancé en root) se règle par ARISTOBOT_SANDBOX_UID / _GID, lus
# directement par le runtime (qui n'importe pas les réglages Django).
ARISTOBOT_BACKTEST_TIMEOUT_S: float = env.float("ARISTOBOT_BACKTEST_TIMEOUT_S", default=1800.0)
ARISTOBOT_BACKTEST_MEMORY_MB: int = env.int("ARISTOBOT_BACKTEST_MEMORY_MB", default=4096)
ARISTOBOT_BACKTEST_MAX_RESULT_MB: int = env.int("ARISTOBOT_BACKTEST_MAX_RESULT_MB", default=64)

# Évolution du solde (Statistiques) : le moteur relève le solde valorisé de chaque broker toutes
# les N minutes (0 : jamais ; `manage.py snapshot_balances` et le bouton « Relever maintenant »
# restent possibles), relevés conservés N jours (0 : sans limite).
ARISTOBOT_BALANCE_SNAPSHOT_MINUTES: float = env.float("ARISTOBOT_BALANCE_SNAPSHOT_MINUTES", default=60.0)
ARISTOBOT_BALANCE_SNAPSHOT_RETENTION_DAYS: int = env.int("ARISTOBOT_BALANCE_SNAPSHOT_RETENTION_DAYS",
                                                         default=730)
ARISTOBOT_ENGINE_BALANCE_SNAPSHOT_INTERVAL_S = max(0.0, ARISTOBOT_BALANCE_SNAPSHOT_MINUTES) * 60

# Point d'entrée public des webhooks : débit par jeton et par adresse IP (requêtes par minute ;
# au-delà : 429, rien d'enregistré) et conservation du corps brut des alertes (jours).
ARISTOBOT_WEBHOOK_RATE_PER_TOKEN: int = env.int("ARISTOBOT_WEBHOOK_RATE_PER_TOKEN", default=60)
ARISTOBOT_WEBHOOK_RATE_PER_IP: int = env.int("ARISTOBOT_WEBHOOK_RATE_PER_IP", default=120)
ARISTOBOT_WEBHOOK_RETENTION_DAYS: int = env.int("ARISTOBOT_WEBHOOK_RETENTION_DAYS", default=30)
