"""Réglages du moteur de trading (valeurs par défaut, surchargées par les réglages Django ou la commande)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from decimal import Decimal
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class EngineConfig:
    """Paramètres du démon ; `from_settings()` lit les réglages `ARISTOBOT_ENGINE_<NOM>` s'ils existent."""

    pool_size: int = 4  # évaluations de stratégies simultanées (un enfant du bac à sable chacune)
    strategy_timeout_s: float = 5.0  # délai d'une stratégie (au-delà : tuée, erreur enregistrée)
    strategy_memory_mb: int = 1024
    candles_count: int = 300  # bougies clôturées fournies à la stratégie
    max_concurrency: int = 20  # stratégies traitées en même temps sur un signal
    monitor_interval_s: float = 60.0  # contrôle des positions ouvertes
    journal_catch_up_interval_s: float = 60.0  # rattrapage du journal `trades` : par broker, au plus
    webhook_poll_s: float = 5.0  # relecture des webhooks en attente
    alive_interval_s: float = 30.0  # battement écrit dans engine_state
    redis_backoff_initial_s: float = 0.5
    redis_backoff_max_s: float = 30.0
    group_refresh_s: float = 3600.0  # ré-abonnement (l'appartenance à un groupe expire après 24 h)
    stop_limit_slippage: Decimal = Decimal("0.005")  # prix limite du stop = stop × (1 − 0,5 %)
    close_lease_s: float = 120.0  # une clôture en cours plus vieille est considérée abandonnée
    mismatch_tolerance: Decimal = Decimal("0.001")  # écart de solde toléré (0,1 %)
    orphan_entry_days: int = 7  # entrées exécutées sans position recherchées sur cette période
    shutdown_grace_s: float = 20.0  # attente des traitements en cours à l'arrêt
    balance_snapshot_interval_s: float = 3600.0  # relevé des soldes (0 : jamais)

    @classmethod
    def from_settings(cls, **overrides: Any) -> EngineConfig:
        values: dict[str, Any] = {}
        for item in fields(cls):
            name = f"ARISTOBOT_ENGINE_{item.name.upper()}"
            if hasattr(settings, name):
                values[item.name] = getattr(settings, name)
        config = cls(**values)
        return replace(config, **{k: v for k, v in overrides.items() if v is not None})
