"""Erreurs du moteur de backtest (messages en français)."""

from __future__ import annotations

from apps.core.exceptions import AristobotError


class BacktestError(AristobotError):
    """Backtest impossible : bougies invalides, stratégie qui ne se charge pas, etc."""


class BacktestCancelled(Exception):  # noqa: N818 (nom imposé par l'API : « annulé »)
    """Backtest interrompu par l'utilisateur (`cancel_cb`) ; `progress` = % atteint."""

    def __init__(self, progress: float = 0.0) -> None:
        super().__init__(f"Backtest annulé à {progress:.0f} %")
        self.progress = progress
