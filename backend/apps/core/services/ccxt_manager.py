"""Gestionnaire des instances CCXT (spec §1) : une instance longue durée par (user_id, broker_id).

Règles :

- Une instance `ccxt.async_support` par (utilisateur, broker) et par boucle asyncio, créée à la
  demande avec les clés déchiffrées, partagée par tous les appelants : son limiteur de débit
  (`enableRateLimit`) et son cache de marchés servent à tous. Un `asyncio.Lock` par clé garantit
  qu'une rafale de premiers appels ne crée qu'une instance.
- Empreinte (SHA-256 de l'exchange, des clés, du testnet, de l'URL de base et du délai) comparée à
  chaque `exchange_get` : si les clés ou le testnet changent, l'instance est reconstruite ;
  l'ancienne est fermée après un délai de grâce (les appels en cours se terminent).
- Une instance CCXT asynchrone appartient à la boucle qui l'a créée (session aiohttp) : le
  registre est donc indexé par boucle. Dans Daphne, toutes les vues passent par UNE boucle dédiée
  (`apps.core.services.exchange_loop`) : une seule instance par broker dans le processus ; les
  démons (moteur de trading) ont leur propre boucle et leurs propres instances.
- Spot uniquement ; testnet via `set_sandbox_mode(True)` seulement si CCXT le prend en charge.
- Limiteur de débit (`enableRateLimit`, un par instance) : pour Binance, fenêtre glissante de
  60 s sur le poids des requêtes, la règle même de Binance (`apps.core.services.rate_limit`).
- `ARISTOBOT_BINANCE_REST_URL` (si différente de l'URL officielle) redirige TOUTES les URL de
  l'API Binance (`urls["api"]` et `urls["test"]`) : rien ne sort de la boucle locale quand on vise
  le simulateur, testnet compris. Binance uniquement.
- Broker papier (`is_paper`) : `exchange_get` renvoie le venue papier, une interface CCXT
  asynchrone dont les soldes et ordres vivent en base et dont les prix viennent de l'instance
  PUBLIQUE partagée de l'exchange (aucune clé : aucun appel privé possible). La classe est donnée
  par le réglage `ARISTOBOT_PAPER_EXCHANGE` (le cœur n'importe pas l'app brokers).
- `close_all()` ferme les instances de la boucle courante (arrêt) ; `exchange_discard` /
  `exchange_discard_everywhere` ferment celles d'un broker supprimé.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import threading
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

import ccxt
import ccxt.async_support as ccxt_async
from django.conf import settings
from django.utils.module_loading import import_string

from apps.core.exceptions import AristobotError
from apps.core.services.rate_limit import rate_limiter_config

logger = logging.getLogger(__name__)

BINANCE_OFFICIAL_REST_URL = "https://api.binance.com"
RETIRE_GRACE_SECONDS = 30.0
STABLE_OPTIONS: dict[str, Any] = {"defaultType": "spot"}
BINANCE_OPTIONS: dict[str, Any] = {
    "defaultType": "spot",
    "fetchMarkets": {"types": ["spot"]},
    "fetchCurrencies": False,
    "fetchMargins": False,
    "warnOnFetchOpenOrdersWithoutSymbol": False,
}


class BrokerLike(Protocol):
    """Ce que le gestionnaire lit d'un broker (le modèle `brokers.Broker` convient)."""

    id: int
    user_id: int
    exchange: str
    api_key: str
    api_secret: str
    password: str
    is_testnet: bool
    is_paper: bool


@dataclass(frozen=True)
class ExchangeCredentials:
    """Identifiants d'un compte d'exchange (clés en clair, en mémoire seulement)."""

    exchange_id: str
    api_key: str = field(default="", repr=False)
    api_secret: str = field(default="", repr=False)
    password: str = field(default="", repr=False)
    is_testnet: bool = False

    @classmethod
    def from_broker(cls, broker: BrokerLike) -> ExchangeCredentials:
        return cls(
            exchange_id=broker.exchange,
            api_key=broker.api_key or "",
            api_secret=broker.api_secret or "",
            password=broker.password or "",
            is_testnet=bool(broker.is_testnet),
        )


# ----------------------------------------------------------------------------- capacités


@functools.cache
def _probe(exchange_id: str) -> Any:
    """Instance synchrone (sans réseau) servant à lire les métadonnées d'un exchange."""
    klass = getattr(ccxt, exchange_id, None)
    if exchange_id not in ccxt.exchanges or klass is None:
        raise AristobotError(f"Exchange inconnu de CCXT : « {exchange_id} ».", code="unknown_exchange")
    return klass()


def _sandbox_supported(exchange: Any) -> bool:
    return bool(exchange.has.get("sandbox")) and bool(exchange.urls.get("test"))


def exchange_capabilities(exchange_id: str) -> dict[str, Any]:
    """`{"sandbox": bool, "name": str, "requires_password": bool}` pour un exchange CCXT."""
    probe = _probe(exchange_id)
    return {
        "sandbox": _sandbox_supported(probe),
        "name": str(probe.name or exchange_id),
        "requires_password": bool(probe.requiredCredentials.get("password")),
    }


@functools.lru_cache(maxsize=1)
def _exchanges_list() -> tuple[dict[str, Any], ...]:
    rows = []
    for exchange_id in ccxt.exchanges:
        try:
            rows.append({"id": exchange_id, **exchange_capabilities(exchange_id)})
        except Exception:  # un constructeur CCXT défaillant ne doit pas vider la liste
            logger.warning("Métadonnées CCXT illisibles pour %s", exchange_id, exc_info=True)
    return tuple(rows)


def exchanges_list() -> list[dict[str, Any]]:
    """Tous les exchanges CCXT avec leurs capacités (pour le choix d'exchange et le switch testnet)."""
    return [dict(row) for row in _exchanges_list()]


# ----------------------------------------------------------------------------- construction


def _binance_base_url() -> str:
    return str(getattr(settings, "ARISTOBOT_BINANCE_REST_URL", BINANCE_OFFICIAL_REST_URL)).rstrip("/")


def _timeout_ms() -> int:
    return int(getattr(settings, "ARISTOBOT_CCXT_TIMEOUT_MS", 10_000))


def _base_url(exchange_id: str) -> str:
    return _binance_base_url() if exchange_id == "binance" else ""


def _redirect_urls(exchange: Any, base: str) -> None:
    """Réécrit chaque URL d'API (`api` et `test`) sur `base`, en gardant le chemin."""
    for section in ("api", "test"):
        urls = exchange.urls.get(section)
        if isinstance(urls, dict):
            for key, value in list(urls.items()):
                if isinstance(value, str):
                    urls[key] = base + urlsplit(value).path
        elif isinstance(urls, str):
            exchange.urls[section] = base + urlsplit(urls).path


def exchange_build(*, credentials: ExchangeCredentials, base_url: str | None = None) -> Any:
    """Construit une NOUVELLE instance CCXT asynchrone (l'appelant la ferme : `await ex.close()`).

    Toutes ses URL d'API pointent sur `base_url` (par défaut ARISTOBOT_BINANCE_REST_URL pour
    Binance) : aucun appel égaré ne sort de l'adresse configurée. Lève `AristobotError` si
    l'exchange est inconnu ou si le testnet n'y est pas disponible.
    """
    exchange_id = credentials.exchange_id
    probe = _probe(exchange_id)
    klass = getattr(ccxt_async, exchange_id)
    options = dict(BINANCE_OPTIONS if exchange_id == "binance" else STABLE_OPTIONS)
    config: dict[str, Any] = {
        "enableRateLimit": True,
        "timeout": _timeout_ms(),
        "options": options,
        **rate_limiter_config(exchange_id),
    }
    if credentials.api_key:
        config["apiKey"] = credentials.api_key
    if credentials.api_secret:
        config["secret"] = credentials.api_secret
    if credentials.password:
        config["password"] = credentials.password
    if credentials.is_testnet and not _sandbox_supported(probe):
        raise AristobotError(
            f"Le mode testnet n'est pas disponible pour {probe.name} dans CCXT.",
            code="testnet_unsupported",
        )
    exchange = klass(config)
    base = base_url.rstrip("/") if base_url else _base_url(exchange_id)
    if base and base != BINANCE_OFFICIAL_REST_URL:
        _redirect_urls(exchange, base)
    if credentials.is_testnet:
        exchange.set_sandbox_mode(True)
    return exchange


@contextlib.asynccontextmanager
async def temporary_exchange(*, credentials: ExchangeCredentials) -> AsyncIterator[Any]:
    """Instance jetable (vérification de clés non enregistrées), toujours fermée à la sortie."""
    exchange = exchange_build(credentials=credentials)
    try:
        yield exchange
    finally:
        await _close_quietly(exchange)


def credentials_fingerprint(credentials: ExchangeCredentials) -> str:
    """Empreinte qui change quand les clés, le testnet, l'URL de base ou le délai changent."""
    parts = (
        credentials.exchange_id,
        credentials.api_key,
        credentials.api_secret,
        credentials.password,
        "testnet" if credentials.is_testnet else "live",
        _base_url(credentials.exchange_id),
        str(_timeout_ms()),
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


async def _close_quietly(exchange: Any) -> None:
    try:
        await exchange.close()
    except Exception:  # fermeture au mieux : une session déjà morte ne doit rien casser
        logger.debug("Fermeture d'une instance CCXT en échec", exc_info=True)


# ----------------------------------------------------------------------------- registre par boucle


@dataclass
class _Entry:
    fingerprint: str
    exchange: Any


@dataclass
class _Registry:
    """Instances d'une boucle asyncio."""

    brokers: dict[tuple[int, int], _Entry] = field(default_factory=dict)
    public: dict[str, _Entry] = field(default_factory=dict)
    locks: dict[Any, asyncio.Lock] = field(default_factory=dict)
    retired: set[Any] = field(default_factory=set)
    closers: set[asyncio.Task[None]] = field(default_factory=set)

    def lock_for(self, key: Any) -> asyncio.Lock:
        lock = self.locks.get(key)
        if lock is None:
            lock = self.locks[key] = asyncio.Lock()
        return lock

    def retire(self, exchange: Any) -> None:
        """Ferme `exchange` après un délai de grâce (les appels en cours se terminent)."""
        self.retired.add(exchange)

        async def _later() -> None:
            await asyncio.sleep(RETIRE_GRACE_SECONDS)
            if exchange in self.retired:
                self.retired.discard(exchange)
                await _close_quietly(exchange)

        task = asyncio.get_running_loop().create_task(_later())
        self.closers.add(task)
        task.add_done_callback(self.closers.discard)


_registries: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Registry] = weakref.WeakKeyDictionary()
_registries_lock = threading.Lock()


def _registry() -> _Registry:
    loop = asyncio.get_running_loop()
    with _registries_lock:
        registry = _registries.get(loop)
        if registry is None:
            registry = _registries[loop] = _Registry()
        return registry


def _usable(entry: _Entry | None, fingerprint: str) -> bool:
    """L'instance en cache convient : mêmes clés et jamais fermée (une instance fermée lèverait
    « instance was closed by the user » à chaque appel)."""
    return (entry is not None and entry.fingerprint == fingerprint
            and not getattr(entry.exchange, "closed_by_user", False))


async def _get_or_build(
    registry: _Registry, table: dict[Any, _Entry], key: Any, fingerprint: str, build: Any
) -> Any:
    entry = table.get(key)
    if _usable(entry, fingerprint):
        return entry.exchange
    async with registry.lock_for((id(table), key)):
        entry = table.get(key)
        if _usable(entry, fingerprint):
            return entry.exchange
        exchange = build()
        if entry is not None and getattr(entry.exchange, "closed_by_user", False):
            logger.info("Instance CCXT fermée pour %s : remplacée", key)
        elif entry is not None:
            logger.info("Clés ou mode modifiés pour %s : nouvelle instance CCXT", key)
            registry.retire(entry.exchange)
        table[key] = _Entry(fingerprint=fingerprint, exchange=exchange)
        return exchange


async def _credentials_get(registry: _Registry, table: dict[Any, _Entry], key: Any,
                           credentials: ExchangeCredentials) -> Any:
    return await _get_or_build(registry, table, key, credentials_fingerprint(credentials),
                               lambda: exchange_build(credentials=credentials))


async def _paper_get(registry: _Registry, broker: BrokerLike) -> Any:
    """Le venue papier du broker, branché sur l'instance publique courante de son exchange
    (reconstruit si cette instance est remplacée)."""
    market_data = await public_exchange_get(exchange_id=broker.exchange)
    fingerprint = f"paper\x1f{broker.exchange}\x1f{id(market_data)}"
    factory = import_string(settings.ARISTOBOT_PAPER_EXCHANGE)
    return await _get_or_build(registry, registry.brokers, (broker.user_id, broker.id), fingerprint,
                               lambda: factory(broker_id=broker.id, market_data=market_data))


async def exchange_get(*, broker: BrokerLike) -> Any:
    """L'instance CCXT partagée du broker (créée au premier appel, reconstruite si les clés changent) ;
    pour un broker papier, son venue papier (même interface, aucun appel privé)."""
    registry = _registry()
    if broker.is_paper:
        return await _paper_get(registry, broker)
    credentials = ExchangeCredentials.from_broker(broker)
    return await _credentials_get(registry, registry.brokers, (broker.user_id, broker.id), credentials)


async def public_exchange_get(*, exchange_id: str) -> Any:
    """Instance sans clés d'un exchange (marchés, bougies), partagée dans la boucle courante."""
    registry = _registry()
    return await _credentials_get(registry, registry.public, exchange_id,
                                  ExchangeCredentials(exchange_id=exchange_id))


async def exchange_discard(*, user_id: int, broker_id: int) -> None:
    """Ferme et oublie l'instance d'un broker dans la boucle courante (broker supprimé)."""
    entry = _registry().brokers.pop((user_id, broker_id), None)
    if entry is not None:
        await _close_quietly(entry.exchange)


def exchange_discard_everywhere(*, user_id: int, broker_id: int) -> None:
    """Oublie l'instance d'un broker dans toutes les boucles du processus (appelable hors boucle)."""
    with _registries_lock:
        loops = [(loop, reg) for loop, reg in _registries.items() if (user_id, broker_id) in reg.brokers]
    for loop, registry in loops:
        entry = registry.brokers.get((user_id, broker_id))
        if entry is None or loop.is_closed():
            registry.brokers.pop((user_id, broker_id), None)
            continue
        with contextlib.suppress(RuntimeError):
            asyncio.run_coroutine_threadsafe(_discard_on(registry, (user_id, broker_id)), loop)


async def _discard_on(registry: _Registry, key: tuple[int, int]) -> None:
    entry = registry.brokers.pop(key, None)
    if entry is not None:
        await _close_quietly(entry.exchange)


def instances_count() -> int:
    """Nombre d'instances (brokers + publiques) de la boucle courante (diagnostic, tests)."""
    loop = asyncio.get_running_loop()
    registry = _registries.get(loop)
    return 0 if registry is None else len(registry.brokers) + len(registry.public)


async def close_all() -> None:
    """Ferme toutes les instances CCXT de la boucle courante (arrêt du processus ou d'un démon)."""
    loop = asyncio.get_running_loop()
    with _registries_lock:
        registry = _registries.pop(loop, None)
    if registry is None:
        return
    for task in list(registry.closers):
        task.cancel()
    exchanges = [e.exchange for e in (*registry.brokers.values(), *registry.public.values())]
    exchanges.extend(registry.retired)
    await asyncio.gather(*(_close_quietly(ex) for ex in exchanges))
    logger.debug("%d instance(s) CCXT fermée(s)", len(exchanges))
