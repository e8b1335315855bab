"""Agrégation pure des bougies du heartbeat (aucune E/S, aucune horloge murale).

Les bougies 1m clôturées (``k.x == true``) sont regroupées en seaux UTC alignés sur l'époque Unix :
``début = t - t % (N × 60000)``. Seuls les horodatages des messages pilotent l'agrégation : rejouer
les mêmes messages donne exactement les mêmes bougies.

Règles de clôture d'un seau de N minutes :

* il se clôt quand arrive la bougie 1m qui le termine (``open_time + 60000 == fin du seau``) ;
* s'il est encore ouvert quand arrive une minute d'un seau ultérieur (minutes finales absentes,
  par exemple une vraie absence de données chez Binance), il est clos tel quel — c'est aussi ce que
  fait Binance, dont la bougie N minutes ne contient que les transactions qui ont existé ;
* un seau dont le début précède le point d'amorçage du symbole (``prime`` ou, à défaut, la première
  minute vue) n'est jamais émis : on n'en a pas observé le début, il serait faux (mauvaise ouverture,
  volume partiel). Après le rattrapage (backfill) au démarrage il n'y en a pas : le service amorce
  l'agrégateur sur une frontière de 4 h et recharge les minutes déjà stockées depuis cette frontière.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from apps.core.timeframes import MINUTE_MS, TIMEFRAME_MINUTES, TIMEFRAMES, timeframe_ms

LARGEST_TF_MS = max(TIMEFRAME_MINUTES.values()) * MINUTE_MS

KlineSource = Literal["live", "backfill", "stored"]


class MalformedMessage(ValueError):
    """Message Binance illisible ou inconnu : journalisé puis ignoré."""


def bucket_start(ms: int, tf_ms: int) -> int:
    """Début du seau aligné sur l'époque qui contient ``ms``."""
    return ms - ms % tf_ms


@dataclass(frozen=True, slots=True)
class Kline:
    """Une bougie 1m (flux WebSocket, REST ou base)."""

    symbol: str
    open_time: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    quote_volume: Decimal = Decimal(0)
    trades: int = 0
    closed: bool = True
    source: KlineSource = "live"


@dataclass(frozen=True, slots=True)
class Candle:
    """Bougie clôturée d'une unité de temps quelconque, prête à être stockée."""

    symbol: str
    timeframe: str
    open_time: int
    close_time: int  # open_time + N×60000 − 1, comme Binance
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    quote_volume: Decimal
    trades: int
    minutes: int  # nombre de bougies 1m agrégées (N si complète)
    backfilled: bool  # la minute qui l'a close vient du rattrapage, pas du flux direct

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.symbol, self.timeframe, self.open_time)

    @property
    def complete(self) -> bool:
        return self.minutes == TIMEFRAME_MINUTES[self.timeframe]


@dataclass(slots=True)
class _Bucket:
    open_time: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    quote_volume: Decimal
    trades: int
    minutes: int = 1

    @classmethod
    def start(cls, start_ms: int, k: Kline) -> _Bucket:
        return cls(start_ms, k.open, k.high, k.low, k.close, k.volume, k.quote_volume, k.trades)

    def add(self, k: Kline) -> None:
        if k.high > self.high:
            self.high = k.high
        if k.low < self.low:
            self.low = k.low
        self.close = k.close
        self.volume += k.volume
        self.quote_volume += k.quote_volume
        self.trades += k.trades
        self.minutes += 1

    def to_candle(self, symbol: str, tf: str, tf_ms: int, backfilled: bool) -> Candle:
        return Candle(
            symbol, tf, self.open_time, self.open_time + tf_ms - 1, self.open, self.high,
            self.low, self.close, self.volume, self.quote_volume, self.trades, self.minutes,
            backfilled,
        )


@dataclass(slots=True)
class _SymbolState:
    primed_from: int
    last_open_time: int | None = None
    buckets: dict[str, _Bucket] = field(default_factory=dict)


class CandleAggregator:
    """Construit les bougies 1m…4h d'un ou plusieurs symboles à partir des 1m clôturées."""

    def __init__(self, timeframes: tuple[str, ...] = TIMEFRAMES) -> None:
        self._higher = [(tf, timeframe_ms(tf)) for tf in timeframes if tf != "1m"]
        self._with_1m = "1m" in timeframes
        self._states: dict[str, _SymbolState] = {}

    def prime(self, symbol: str, from_ms: int) -> None:
        """Déclare que toutes les minutes du symbole depuis ``from_ms`` seront fournies."""
        state = self._states.get(symbol)
        if state is None:
            self._states[symbol] = _SymbolState(primed_from=from_ms)
        else:
            state.primed_from = from_ms

    def last_open_time(self, symbol: str) -> int | None:
        """Ouverture de la dernière minute agrégée (None si aucune)."""
        state = self._states.get(symbol)
        return state.last_open_time if state else None

    def feed(self, kline: Kline) -> list[Candle]:
        """Ajoute une bougie 1m ; renvoie les bougies clôturées (1m comprise), par clôture croissante.

        Une bougie non clôturée, déjà vue ou plus ancienne que la dernière vue est ignorée.
        """
        if not kline.closed:
            return []
        state = self._states.get(kline.symbol)
        if state is None:
            state = self._states[kline.symbol] = _SymbolState(primed_from=kline.open_time)
        if state.last_open_time is not None and kline.open_time <= state.last_open_time:
            return []
        state.last_open_time = kline.open_time
        backfilled = kline.source != "live"
        flushed: list[Candle] = []
        closing: list[Candle] = []
        if self._with_1m:
            closing.append(
                Candle(
                    kline.symbol, "1m", kline.open_time, kline.open_time + MINUTE_MS - 1,
                    kline.open, kline.high, kline.low, kline.close, kline.volume,
                    kline.quote_volume, kline.trades, 1, backfilled,
                )
            )
        for tf, tf_ms in self._higher:
            start = bucket_start(kline.open_time, tf_ms)
            bucket = state.buckets.get(tf)
            if bucket is not None and bucket.open_time != start:
                # Seau précédent resté ouvert : ses dernières minutes n'existent pas.
                flushed.append(bucket.to_candle(kline.symbol, tf, tf_ms, backfilled))
                bucket = None
                del state.buckets[tf]
            if bucket is None:
                if start < state.primed_from:
                    continue  # début du seau jamais observé : bougie partielle, non émise
                bucket = state.buckets[tf] = _Bucket.start(start, kline)
            else:
                bucket.add(kline)
            if kline.open_time + MINUTE_MS == start + tf_ms:
                closing.append(bucket.to_candle(kline.symbol, tf, tf_ms, backfilled))
                del state.buckets[tf]
        flushed.sort(key=lambda c: c.close_time)
        return flushed + closing

    def flush_until(self, symbol: str, end_ms: int, *, backfilled: bool = True) -> list[Candle]:
        """Clôt les seaux ouverts qui se terminent au plus tard à ``end_ms`` (réparation d'un trou)."""
        state = self._states.get(symbol)
        if state is None:
            return []
        out: list[Candle] = []
        for tf, tf_ms in self._higher:
            bucket = state.buckets.get(tf)
            if bucket is not None and bucket.open_time + tf_ms <= end_ms:
                out.append(bucket.to_candle(symbol, tf, tf_ms, backfilled))
                del state.buckets[tf]
        return sorted(out, key=lambda c: c.close_time)


def signal_is_due(candle: Candle, now_ms: int, max_delay_ms: int) -> bool:
    """Faut-il émettre le signal de cette bougie maintenant ?

    Oui si elle est la dernière bougie clôturée de son unité de temps (la suivante n'est pas encore
    close) et qu'elle est close depuis au plus ``max_delay_ms``. Une bougie du flux direct l'est
    toujours ; une bougie rattrapée ancienne ne l'est pas : le moteur ne doit pas trader du passé.
    """
    age = now_ms - (candle.close_time + 1)
    return age <= min(timeframe_ms(candle.timeframe), max_delay_ms)


# --- Lecture des messages Binance ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ServerShutdown:
    """Binance annonce la coupure prochaine de la connexion (``{"e": "serverShutdown"}``)."""

    event_time: int | None


_IGNORED_EVENTS = frozenset({"trade", "aggTrade", "24hrTicker", "24hrMiniTicker", "bookTicker"})


def _decimal(value: Any, name: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise MalformedMessage(f"champ « {name} » absent ou invalide")
    try:
        result = Decimal(value if isinstance(value, str) else repr(value))
    except (InvalidOperation, ValueError, TypeError):
        raise MalformedMessage(f"champ « {name} » non numérique : {value!r}") from None
    if not result.is_finite() or result < 0:
        raise MalformedMessage(f"champ « {name} » hors limites : {value!r}")
    return result


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedMessage(f"champ « {name} » : entier attendu, reçu {value!r}")
    return value


def _ohlc_check(k: Kline) -> Kline:
    if k.open_time % MINUTE_MS:
        raise MalformedMessage(f"ouverture {k.open_time} non alignée sur la minute")
    if not (k.low <= min(k.open, k.close) and max(k.open, k.close) <= k.high):
        raise MalformedMessage(f"OHLC incohérent pour {k.symbol} à {k.open_time}")
    return k


def kline_from_ws(payload: dict[str, Any]) -> Kline:
    """Bougie 1m d'un événement ``kline`` Binance (prix en chaînes)."""
    k = payload.get("k")
    if not isinstance(k, dict):
        raise MalformedMessage("événement kline sans objet « k »")
    if k.get("i") != "1m":
        raise MalformedMessage(f"intervalle inattendu : {k.get('i')!r} (1m attendu)")
    symbol = k.get("s") or payload.get("s")
    if not isinstance(symbol, str) or not symbol:
        raise MalformedMessage("symbole absent")
    closed = k.get("x")
    if not isinstance(closed, bool):
        raise MalformedMessage("champ « x » (clôture) absent")
    return _ohlc_check(
        Kline(
            symbol=symbol.upper(),
            open_time=_int(k.get("t"), "t"),
            open=_decimal(k.get("o"), "o"),
            high=_decimal(k.get("h"), "h"),
            low=_decimal(k.get("l"), "l"),
            close=_decimal(k.get("c"), "c"),
            volume=_decimal(k.get("v"), "v"),
            quote_volume=_decimal(k.get("q", "0"), "q"),
            trades=_int(k.get("n", 0), "n"),
            closed=closed,
            source="live",
        )
    )


def kline_from_ohlcv(symbol: str, row: list[Any], source: KlineSource = "backfill") -> Kline:
    """Bougie 1m d'une ligne CCXT ``[ms, o, h, l, c, v]`` (volumes en cotation inconnus : 0)."""
    if not isinstance(row, (list, tuple)) or len(row) < 6:
        raise MalformedMessage(f"ligne OHLCV invalide : {row!r}")
    return _ohlc_check(
        Kline(
            symbol=symbol,
            open_time=_int(row[0], "timestamp"),
            open=_decimal(row[1], "open"),
            high=_decimal(row[2], "high"),
            low=_decimal(row[3], "low"),
            close=_decimal(row[4], "close"),
            volume=_decimal(row[5], "volume"),
            source=source,
        )
    )


def parse_stream_message(data: Any) -> Kline | ServerShutdown | None:
    """Interprète un message (flux combiné ``{"stream", "data"}`` ou brut).

    Renvoie une ``Kline`` (clôturée ou non), ``ServerShutdown``, ou None pour un événement connu
    mais sans intérêt pour l'agrégation (trade, réponse à une requête). Lève ``MalformedMessage``
    pour tout le reste.
    """
    payload = data.get("data") if isinstance(data, dict) and "stream" in data else data
    if not isinstance(payload, dict):
        raise MalformedMessage(f"objet JSON attendu, reçu {type(payload).__name__}")
    event = payload.get("e")
    if event == "kline":
        return kline_from_ws(payload)
    if event == "serverShutdown":
        event_time = payload.get("E")
        return ServerShutdown(event_time if isinstance(event_time, int) else None)
    if event in _IGNORED_EVENTS or ("id" in payload and "result" in payload):
        return None
    raise MalformedMessage(f"type d'événement inconnu : {event!r}")
