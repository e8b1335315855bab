"""Réglages du service Heartbeat (valeurs par défaut pour Binance ; les tests les raccourcissent)."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class HeartbeatConfig:
    """Paramètres du démon. Durées en secondes, fenêtres en minutes."""

    ws_url: str | None  # base WebSocket (``/stream?streams=…`` est ajouté) ; None : pas de flux
    rest_url: str
    symbols: tuple[str, ...]
    with_trades: bool = False  # ajoute ``@trade`` (pour l'affichage brut seulement)
    # Reconnexion : backoff exponentiel plafonné avec gigue.
    backoff_initial_s: float = 1.0
    backoff_max_s: float = 60.0
    backoff_jitter: float = 0.3
    open_timeout_s: float = 10.0
    idle_timeout_s: float = 120.0  # aucun message pendant ce délai : connexion jugée morte
    max_connection_age_s: float = 23.5 * 3600  # Binance coupe à 24 h : on anticipe
    ping_interval_s: float | None = 20.0
    # Rattrapage.
    initial_backfill_minutes: int = 1440  # base vide : on commence 24 h en arrière
    max_backfill_minutes: int = 7 * 1440  # au-delà, le trou reste (alerte de cohérence)
    backfill_retries: int = 3
    # Stockage et signaux.
    pending_max: int = 100_000  # bougies gardées en mémoire si PostgreSQL est indisponible
    write_batch: int = 500
    db_retry_max_s: float = 30.0
    signal_max_delay_s: float = 120.0  # une bougie close depuis plus longtemps n'est pas signalée
    publish_deadline_s: float = 30.0  # un signal non publié (Redis absent) est abandonné après
    publish_timeout_s: float = 5.0
    raw_queue_max: int = 1000
    # État et cohérence.
    status_interval_s: float = 2.0
    coherence_interval_s: float | None = 300.0  # None : seulement après chaque rattrapage
    coherence_window_minutes: int = 7 * 1440
    coherence_grace_s: float = 120.0
    coherence_max_repairs: int = 20

    @classmethod
    def from_settings(cls, **overrides: Any) -> HeartbeatConfig:
        base = cls(
            ws_url=settings.ARISTOBOT_BINANCE_WS_URL,
            rest_url=settings.ARISTOBOT_BINANCE_REST_URL,
            symbols=tuple(settings.HEARTBEAT_SYMBOLS),
        )
        return replace(base, **overrides)

    def stream_url(self) -> str:
        """URL du flux combiné : une kline 1m (et éventuellement les trades) par symbole."""
        if not self.ws_url:
            raise ValueError("Aucune URL WebSocket configurée pour le heartbeat")
        streams = [f"{s.lower()}@kline_1m" for s in self.symbols]
        if self.with_trades:
            streams += [f"{s.lower()}@trade" for s in self.symbols]
        return self.ws_url.rstrip("/") + "/stream?streams=" + "/".join(streams)

    def backoff(self, attempt: int) -> float:
        """Délai avant la tentative ``attempt`` (0, 1, 2…) : exponentiel, plafonné, avec gigue."""
        delay = min(self.backoff_max_s, self.backoff_initial_s * 2**min(attempt, 30))
        return max(0.0, delay * (1 + random.uniform(-self.backoff_jitter, self.backoff_jitter)))  # noqa: S311
