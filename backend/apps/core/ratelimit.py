"""Limiteur de débit à fenêtre glissante, en mémoire du processus (Daphne est unique).

    limiter = SlidingWindowLimiter(limit=5, window_s=900)
    wait = limiter.hit("alice")      # 0.0 : accepté et compté ; sinon secondes à attendre (non compté)
    limiter.retry_after("alice")     # attente actuelle sans compter

Sûr entre threads. Mémoire bornée : au plus `max_keys` clés suivies (les plus anciennes oubliées).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

_registry: list[SlidingWindowLimiter] = []
_registry_lock = threading.Lock()


def clear_all() -> None:
    """Oublie tous les compteurs de tous les limiteurs (tests)."""
    with _registry_lock:
        limiters = list(_registry)
    for limiter in limiters:
        limiter.clear()


class SlidingWindowLimiter:
    def __init__(self, limit: int, window_s: float, *, max_keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window_s = window_s
        self.max_keys = max_keys
        self._clock = clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()
        with _registry_lock:
            _registry.append(self)

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            hits = self._hits[key] = deque()
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)
        while hits and now - hits[0] >= self.window_s:
            hits.popleft()
        self._hits.move_to_end(key)
        return hits

    def retry_after(self, key: str) -> float:
        """Secondes avant la prochaine requête acceptée pour `key` (0 si elle l'est déjà)."""
        if self.limit <= 0:
            return 0.0
        with self._lock:
            now = self._clock()
            hits = self._recent(key, now)
            if len(hits) < self.limit:
                return 0.0
            return max(0.0, hits[0] + self.window_s - now)

    def hit(self, key: str) -> float:
        """Compte une requête si elle est permise (renvoie 0) ; sinon l'attente, sans compter."""
        if self.limit <= 0:
            return 0.0
        with self._lock:
            now = self._clock()
            hits = self._recent(key, now)
            if len(hits) >= self.limit:
                return max(0.0, hits[0] + self.window_s - now)
            hits.append(now)
            return 0.0

    def reset(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._hits.clear()


def wait_text(seconds: float) -> str:
    """« 42 s » ou « 3 min » (attente arrondie au-dessus)."""
    seconds = max(1, math.ceil(seconds))
    return f"{seconds} s" if seconds < 120 else f"{math.ceil(seconds / 60)} min"
