"""Modèle de marché déterministe : chaque prix est une fonction pure de (graine, paire, instant).

Le log-prix aux bornes des minutes est une somme de bruits « valeur » à 16 échelles (1 min à
~3 semaines, nœuds gaussiens interpolés linéairement, amplitude ∝ √échelle) : les rendements ont la
variance d'une marche aléatoire jusqu'à quelques semaines, et le niveau reste autour du prix de
référence sur le long terme (pas de dérive). Mèches, volumes et chemin intra-minute (une
« tick » par seconde) dérivent du même hachage. Rien n'est stocké : n'importe quelle minute, il y a
trois ans ou maintenant, se calcule directement ; un petit cache LRU par jour évite les recalculs.

Seule exception à la pureté : ``force_price`` (API d'administration) applique, à partir d'un
instant, un facteur multiplicatif (ou un prix figé) aux prix du modèle.
"""

from __future__ import annotations

import bisect
import math
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from .noise import derive_key, gaussian, uniform
from .symbols import SymbolSpec

MINUTE_MS = 60_000
TICK_MS = 1_000
TICKS_PER_MINUTE = 60
BLOCK_MINUTES = 1_440
MINUTES_PER_YEAR = 525_600
SCALES = 16
CACHE_BLOCKS = 256
CACHEABLE_SPAN_BLOCKS = 64

FIELDS = ("open", "high", "low", "close", "volume", "quote_volume", "taker_base", "taker_quote")


@dataclass(frozen=True)
class _Override:
    """À partir de ``start_ms`` : prix du modèle × ``factor``, ou prix figé à ``fixed``."""

    start_ms: int
    factor: float = 1.0
    fixed: float | None = None


class _SymbolModel:
    """Paramètres et clés de bruit d'une paire."""

    def __init__(self, seed: int, spec: SymbolSpec) -> None:
        self.spec = spec
        sigma = spec.annual_volatility / math.sqrt(MINUTES_PER_YEAR)
        self.sigma = sigma
        self.amplitude = sigma / 2.0  # variance mesurée des incréments : 4·amplitude² par minute
        self.log_ref = math.log(spec.reference_price)
        self.scale_keys = [derive_key(seed, spec.symbol, "scale", k) for k in range(SCALES)]
        self.keys = {
            name: derive_key(seed, spec.symbol, name)
            for name in ("wick_high", "wick_low", "volume", "taker", "pos1", "pos2", "order", "tick")
        }
        self.tick = float(spec.tick_size)
        self.overrides: list[_Override] = []
        self.starts: list[int] = []


class MarketModel:
    """Génère minutes, ticks et prix courants de toutes les paires."""

    def __init__(self, seed: int, symbols: dict[str, SymbolSpec]) -> None:
        self.seed = seed
        self.models = {name: _SymbolModel(seed, spec) for name, spec in symbols.items()}
        self._cache: OrderedDict[tuple[str, int], dict[str, np.ndarray]] = OrderedDict()

    # ----------------------------------------------------------------- modèle de base (pur)
    def _boundary_log_prices(self, model: _SymbolModel, i0: int, count: int) -> np.ndarray:
        """Log-prix aux bornes de minutes ``i0 … i0+count-1`` (borne i = ouverture de la minute i)."""
        idx = np.arange(i0, i0 + count, dtype=np.int64)
        x = (idx - i0).astype(np.float64)
        total = gaussian(model.scale_keys[0], idx)
        for k in range(1, SCALES):
            size = 1 << k
            lo = i0 >> k
            hi = ((i0 + count - 1) >> k) + 1
            knots = np.arange(lo, hi + 1, dtype=np.int64)
            values = gaussian(model.scale_keys[k], knots) * math.sqrt(size)
            total += np.interp(x, (knots * size - i0).astype(np.float64), values)
        return model.log_ref + model.amplitude * total

    def _compute_minutes(self, model: _SymbolModel, m0: int, count: int) -> dict[str, np.ndarray]:
        """Valeurs de base (sans surcharge) des minutes ``m0 … m0+count-1``."""
        idx = np.arange(m0, m0 + count, dtype=np.int64)
        bounds = np.exp(self._boundary_log_prices(model, m0, count + 1))
        opens, closes = bounds[:-1], bounds[1:]
        wick = model.sigma * 0.7
        highs = np.maximum(opens, closes) * np.exp(np.abs(gaussian(model.keys["wick_high"], idx)) * wick)
        lows = np.minimum(opens, closes) * np.exp(-np.abs(gaussian(model.keys["wick_low"], idx)) * wick)
        move = np.abs(np.log(closes / opens)) / model.sigma
        activity = np.exp(0.35 * gaussian(model.keys["volume"], idx)) * (0.7 + 0.3 * move)
        pos1 = 1 + np.floor(uniform(model.keys["pos1"], idx) * 57).astype(np.int64)
        pos2 = 1 + np.floor(uniform(model.keys["pos2"], idx) * 57).astype(np.int64)
        pos2 = np.where(pos2 == pos1, pos1 + 1, pos2)
        return {
            "open": opens,
            "high": highs,
            "low": lows,
            "close": closes,
            "activity": activity,
            "taker_ratio": 0.5 + 0.12 * np.tanh(gaussian(model.keys["taker"], idx)),
            "pos_a": np.minimum(pos1, pos2),
            "pos_b": np.maximum(pos1, pos2),
            "high_first": uniform(model.keys["order"], idx) < 0.5,
        }

    def base_minutes(self, symbol: str, m0: int, count: int) -> dict[str, np.ndarray]:
        """Minutes de base, via le cache par jour quand la plage est raisonnable."""
        model = self.models[symbol]
        b0 = m0 // BLOCK_MINUTES
        b1 = (m0 + count - 1) // BLOCK_MINUTES + 1
        if b1 - b0 > CACHEABLE_SPAN_BLOCKS:
            return self._compute_minutes(model, m0, count)
        missing = [b for b in range(b0, b1) if (symbol, b) not in self._cache]
        if missing:
            first, last = missing[0], missing[-1] + 1
            fresh = self._compute_minutes(model, first * BLOCK_MINUTES, (last - first) * BLOCK_MINUTES)
            for offset, block in enumerate(range(first, last)):
                part = slice(offset * BLOCK_MINUTES, (offset + 1) * BLOCK_MINUTES)
                self._cache[(symbol, block)] = {key: arr[part] for key, arr in fresh.items()}
        blocks = []
        for b in range(b0, b1):
            self._cache.move_to_end((symbol, b))
            blocks.append(self._cache[(symbol, b)])
        while len(self._cache) > CACHE_BLOCKS:
            self._cache.popitem(last=False)
        start = m0 - b0 * BLOCK_MINUTES
        return {key: np.concatenate([blk[key] for blk in blocks])[start : start + count] for key in blocks[0]}

    def _base_ticks(self, symbol: str, m0: int, count: int) -> np.ndarray:
        """Chemin intra-minute de base, forme (count, 60) : passe par O, H, L, C exactement."""
        model = self.models[symbol]
        mins = self.base_minutes(symbol, m0, count)
        o, h, lo, c = (mins[k][:, None] for k in ("open", "high", "low", "close"))
        first_high = mins["high_first"][:, None]
        ya = np.where(first_high, h, lo)
        yb = np.where(first_high, lo, h)
        ja = mins["pos_a"][:, None].astype(np.float64)
        jb = mins["pos_b"][:, None].astype(np.float64)
        j = np.arange(TICKS_PER_MINUTE, dtype=np.float64)[None, :]
        last = float(TICKS_PER_MINUTE - 1)
        path = np.where(
            j <= ja,
            o + (ya - o) * (j / ja),
            np.where(j <= jb, ya + (yb - ya) * (j - ja) / (jb - ja), yb + (c - yb) * (j - jb) / (last - jb)),
        )
        ticks = np.arange(m0 * TICKS_PER_MINUTE, (m0 + count) * TICKS_PER_MINUTE, dtype=np.int64)
        noise = gaussian(model.keys["tick"], ticks).reshape(count, TICKS_PER_MINUTE)
        path = np.clip(path + noise * 0.15 * (h - lo), lo, h)
        rows = np.arange(count)
        path[:, 0] = o[:, 0]
        path[:, -1] = c[:, 0]
        path[rows, mins["pos_a"]] = ya[:, 0]
        path[rows, mins["pos_b"]] = yb[:, 0]
        return path

    # ----------------------------------------------------------------- surcharges (admin)
    def force_price(self, symbol: str, price: float, at_ms: int, *, freeze: bool = False) -> None:
        """Impose le prix courant à partir de la tick contenant ``at_ms`` (figé si ``freeze``)."""
        model = self.models[symbol]
        start = at_ms - at_ms % TICK_MS
        keep = bisect.bisect_left(model.starts, start)
        del model.overrides[keep:]
        del model.starts[keep:]
        if freeze:
            override = _Override(start_ms=start, fixed=float(price))
        else:
            tick = start // TICK_MS
            base = float(self._base_ticks(symbol, tick // TICKS_PER_MINUTE, 1)[0, tick % TICKS_PER_MINUTE])
            override = _Override(start_ms=start, factor=float(price) / base)
        model.overrides.append(override)
        model.starts.append(start)

    @staticmethod
    def _override_arrays(model: _SymbolModel, times: np.ndarray) -> tuple[np.ndarray, ...]:
        """Pour chaque instant : indice de la surcharge active (-1 : aucune), facteur, prix figé."""
        pos = np.searchsorted(np.asarray(model.starts, dtype=np.int64), times, side="right") - 1
        factors = np.array([1.0] + [o.factor for o in model.overrides])[pos + 1]
        fixed_values = [np.nan] + [np.nan if o.fixed is None else o.fixed for o in model.overrides]
        return pos, factors, np.array(fixed_values)[pos + 1]

    def _apply_ticks(self, model: _SymbolModel, ticks: np.ndarray, prices: np.ndarray) -> np.ndarray:
        if not model.overrides:
            return prices
        _, factors, fixed = self._override_arrays(model, ticks * TICK_MS)
        return np.where(np.isnan(fixed), prices * factors, fixed)

    def _apply_minutes(
        self, symbol: str, m0: int, count: int, prices: tuple[np.ndarray, ...]
    ) -> tuple[np.ndarray, ...]:
        """Applique les surcharges aux OHLC ; une minute coupée par une surcharge est recalculée
        à partir de ses ticks pour rester cohérente avec ce que le flux a diffusé."""
        model = self.models[symbol]
        starts = np.asarray(model.starts, dtype=np.int64)
        minute_ms = np.arange(m0, m0 + count, dtype=np.int64) * MINUTE_MS
        pos, factors, fixed = self._override_arrays(model, minute_ms)
        out = tuple(np.where(np.isnan(fixed), arr * factors, fixed) for arr in prices)
        nxt = np.minimum(pos + 1, len(starts) - 1)
        inner = (pos + 1 < len(starts)) & (starts[nxt] < minute_ms + MINUTE_MS)
        for row in np.flatnonzero(inner).tolist():
            path = self.tick_prices(symbol, (m0 + row) * TICKS_PER_MINUTE, TICKS_PER_MINUTE)
            for arr, value in zip(out, (path[0], path.max(), path.min(), path[-1]), strict=True):
                arr[row] = value
        return out

    # ----------------------------------------------------------------- valeurs publiées
    def tick_prices(self, symbol: str, tick0: int, count: int) -> np.ndarray:
        """Prix (non arrondis) des ticks ``tick0 … tick0+count-1`` (une tick = une seconde)."""
        m0 = tick0 // TICKS_PER_MINUTE
        m1 = (tick0 + count - 1) // TICKS_PER_MINUTE + 1
        flat = self._base_ticks(symbol, m0, m1 - m0).reshape(-1)
        start = tick0 - m0 * TICKS_PER_MINUTE
        ticks = np.arange(tick0, tick0 + count, dtype=np.int64)
        return self._apply_ticks(self.models[symbol], ticks, flat[start : start + count])

    def price_at(self, symbol: str, t_ms: int) -> float:
        """Prix arrondi au pas de cotation à l'instant ``t_ms``."""
        return self.round_price(symbol, float(self.tick_prices(symbol, t_ms // TICK_MS, 1)[0]))

    def round_price(self, symbol: str, value: float) -> float:
        tick = self.models[symbol].tick
        return max(tick, round(value / tick) * tick)

    def round_prices(self, symbol: str, values: np.ndarray) -> np.ndarray:
        tick = self.models[symbol].tick
        return np.maximum(tick, np.round(values / tick) * tick)

    def minutes(self, symbol: str, m0: int, count: int) -> dict[str, np.ndarray]:
        """Minutes complètes (surcharges appliquées) : prix et volumes."""
        model = self.models[symbol]
        base = self.base_minutes(symbol, m0, count)
        o, h, lo, c = (base[k].copy() for k in ("open", "high", "low", "close"))
        if model.overrides:
            o, h, lo, c = self._apply_minutes(symbol, m0, count, (o, h, lo, c))
        volume = base["activity"] * model.spec.volume_per_minute
        typical = (o + h + lo + c) / 4.0
        taker = volume * base["taker_ratio"]
        return {
            "open": o,
            "high": h,
            "low": lo,
            "close": c,
            "volume": volume,
            "quote_volume": volume * typical,
            "taker_base": taker,
            "taker_quote": taker * typical,
        }

    def partial_minute(self, symbol: str, now_ms: int) -> dict[str, float]:
        """État de la minute en cours à ``now_ms`` (ticks écoulées seulement)."""
        minute = now_ms // MINUTE_MS
        elapsed = (now_ms - minute * MINUTE_MS) // TICK_MS + 1
        path = self.tick_prices(symbol, minute * TICKS_PER_MINUTE, int(elapsed))
        full = self.minutes(symbol, minute, 1)
        share = elapsed / TICKS_PER_MINUTE
        result = {key: float(full[key][0]) * share for key in FIELDS[4:]}
        result.update(
            open=float(path[0]), high=float(path.max()), low=float(path.min()), close=float(path[-1])
        )
        typical = (result["open"] + result["high"] + result["low"] + result["close"]) / 4.0
        result["quote_volume"] = result["volume"] * typical
        result["taker_quote"] = result["taker_base"] * typical
        return result
