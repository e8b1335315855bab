"""Progression et annulation : rappels limités dans le temps, appelés depuis les boucles."""

from __future__ import annotations

import time
from collections.abc import Callable

from apps.backtest.engine.errors import BacktestCancelled

ProgressCallback = Callable[[float], object]
CancelCallback = Callable[[], object]

#: Intervalle minimal entre deux appels de `progress_cb` (secondes).
PROGRESS_INTERVAL = 0.2
#: Intervalle minimal entre deux appels de `cancel_cb` (secondes).
CANCEL_INTERVAL = 0.05


class Ticker:
    """Appelle `progress_cb(pct)` au plus toutes les 0,2 s et `cancel_cb()` toutes les 0,05 s.

    Les boucles appellent `tick()` assez souvent (toutes les 64 bougies en rapide, à chaque
    bougie en exact) pour qu'il se passe moins d'une seconde entre deux appels effectifs.
    `cancel_cb` qui renvoie une valeur vraie ou lève une exception → `BacktestCancelled`.
    """

    def __init__(self, progress_cb: ProgressCallback | None = None,
                 cancel_cb: CancelCallback | None = None) -> None:
        self.progress_cb = progress_cb
        self.cancel_cb = cancel_cb
        self.pct = 0.0
        self._last_progress = -1e9
        self._last_cancel = time.monotonic()

    def tick(self, pct: float) -> None:
        pct = min(max(pct, self.pct), 100.0)  # jamais de recul
        self.pct = pct
        now = time.monotonic()
        if self.cancel_cb is not None and now - self._last_cancel >= CANCEL_INTERVAL:
            self._last_cancel = now
            self.check_cancel()
        if self.progress_cb is not None and now - self._last_progress >= PROGRESS_INTERVAL:
            self._last_progress = now
            self.progress_cb(round(pct, 2))

    def check_cancel(self) -> None:
        if self.cancel_cb is None:
            return
        try:
            cancelled = self.cancel_cb()
        except BacktestCancelled:
            raise
        except Exception as exc:
            raise BacktestCancelled(self.pct) from exc
        if cancelled:
            raise BacktestCancelled(self.pct)
