"""Classe de base `Strategy` (spec §3.2 B–C et §4.5) : le contrat du code utilisateur.

Contrat :
- `candles` : `pandas.DataFrame` aux colonnes `open, high, low, close, volume` (float64),
  indexé par un `DatetimeIndex` UTC croissant (la dernière ligne est la bougie la plus récente) ;
- `balance` : solde disponible en devise de cotation (QUOTE, ex. USDT) ;
- `position` : la position ouverte (dict) ou `None`.

Méthodes de décision (toutes optionnelles : par défaut, aucune action) :
- `should_long() -> bool`, `should_short() -> bool` (short : futures uniquement) ;
- `calculate_position_size() -> float` : montant en devise de cotation (QUOTE), >= 0 ;
- `calculate_stop_loss() -> float` et `calculate_take_profit() -> float` : fractions du prix
  d'entrée (0.02 = 2 %), 0 = pas de SL/TP.

Ce module n'importe rien de lourd (ni pandas, ni Django) : il est injecté tel quel dans l'espace
de noms du code utilisateur.
"""

from __future__ import annotations

from typing import Any

#: Noms des méthodes de décision, dans l'ordre où le runtime les appelle.
DECISION_METHODS: tuple[str, ...] = (
    "should_long",
    "should_short",
    "calculate_position_size",
    "calculate_stop_loss",
    "calculate_take_profit",
)


class Strategy:
    """Base de toute stratégie utilisateur : hériter, puis surcharger les méthodes utiles."""

    def __init__(self, candles: Any, balance: float, position: dict[str, Any] | None = None) -> None:
        self.candles = candles
        self.balance = balance
        self.position = position

    def should_long(self) -> bool:
        """Vrai s'il faut ouvrir (acheter) une position longue."""
        return False

    def should_short(self) -> bool:
        """Vrai s'il faut ouvrir une position courte (futures uniquement)."""
        return False

    def calculate_position_size(self) -> float:
        """Montant à engager, en devise de cotation (QUOTE) ; 0 = rien."""
        return 0.0

    def calculate_stop_loss(self) -> float:
        """Stop loss en fraction du prix d'entrée (0.02 = 2 %) ; 0 = aucun."""
        return 0.0

    def calculate_take_profit(self) -> float:
        """Take profit en fraction du prix d'entrée (0.04 = 4 %) ; 0 = aucun."""
        return 0.0
