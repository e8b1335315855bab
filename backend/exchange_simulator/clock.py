"""Horloge simulée : ``ancre + (mur − démarrage) × vitesse``, en millisecondes UTC."""

from __future__ import annotations

import time


def wall_ms() -> int:
    """Heure murale (réelle) en millisecondes depuis l'époque Unix."""
    return time.time_ns() // 1_000_000


class SimClock:
    """Horloge du marché simulé.

    Avec ``speed=1`` et sans ancre, elle suit l'heure réelle. Avec ``speed=N`` le temps simulé
    avance N fois plus vite que le temps réel à partir de ``anchor_ms`` (l'heure réelle du
    démarrage par défaut). Toutes les heures publiées (``/api/v3/time``, bougies, ordres) la suivent.
    """

    def __init__(self, *, speed: float = 1.0, anchor_ms: int | None = None) -> None:
        if speed <= 0:
            raise ValueError("La vitesse du simulateur doit être strictement positive")
        self.speed = float(speed)
        self._requested_anchor = anchor_ms
        self._wall_start = time.monotonic()
        self._anchor_ms = wall_ms() if anchor_ms is None else int(anchor_ms)

    def restart(self) -> None:
        """Repart de l'ancre demandée (ou de l'heure réelle) : appelé au démarrage du serveur."""
        self._wall_start = time.monotonic()
        self._anchor_ms = wall_ms() if self._requested_anchor is None else int(self._requested_anchor)

    @property
    def anchor_ms(self) -> int:
        return self._anchor_ms

    def now_ms(self) -> int:
        """Heure simulée courante (ms)."""
        elapsed = time.monotonic() - self._wall_start
        return self._anchor_ms + int(elapsed * self.speed * 1000.0)

    def wall_seconds_until(self, sim_ms: int) -> float:
        """Durée réelle (s) avant que l'horloge simulée n'atteigne ``sim_ms`` (0 si déjà passé)."""
        return max(0.0, (sim_ms - self.now_ms()) / 1000.0 / self.speed)
