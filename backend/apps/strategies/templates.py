"""Code de départ d'une nouvelle stratégie (spec §4.5) et exemple EMA 10/20.

`EMA_CROSS_EXAMPLE` (proposé dans l'éditeur, stratégie de la démo) déclare ses périodes comme
**paramètres** (attributs de classe numériques : optimisables dans Backtest) ;
`SPEC_EMA_CROSS_EXAMPLE` est l'exemple de la spec tel quel (bancs d'essai, tests : mêmes trades).
"""

STRATEGY_TEMPLATE = '''# Template de base pour une nouvelle stratégie
class MaNouvelleStrategie(Strategy):
    # Paramètres : les attributs numériques de la classe, par exemple « periode = 14 », puis
    # « self.periode » dans le code. Ils sont listés dans la page et optimisables dans Backtest.

    def __init__(self, candles, balance, position=None):
        self.candles = candles
        self.balance = balance
        self.position = position

    def should_long(self) -> bool:
        # Décide si on doit acheter
        return False

    def should_short(self) -> bool:
        # Pour le futures trading uniquement
        return False

    def calculate_position_size(self) -> float:
        # Calcule la taille de la position
        return 0.0

    def calculate_stop_loss(self) -> float:
        # Calcule le stop loss
        return 0.0

    def calculate_take_profit(self) -> float:
        # Calcule le take profit
        return 0.0
'''

SPEC_EMA_CROSS_EXAMPLE = '''import pandas_ta as ta

class MaNouvelleStrategie(Strategy):
    def __init__(self, candles, balance, position=None):
        self.candles = candles
        self.balance = balance
        self.position = position

        # On suppose que candles est un DataFrame Pandas avec au moins la colonne 'close'
        self.candles["ema10"] = ta.ema(self.candles["close"], length=10)
        self.candles["ema20"] = ta.ema(self.candles["close"], length=20)

    def should_long(self) -> bool:
        """
        Buy signal : EMA 10 crosses above EMA 20
        """
        if len(self.candles) < 21:
            return False  # Pas assez de données

        ema10_now = self.candles["ema10"].iloc[-1]
        ema10_prev = self.candles["ema10"].iloc[-2]

        ema20_now = self.candles["ema20"].iloc[-1]
        ema20_prev = self.candles["ema20"].iloc[-2]

        # Croisement haussier : ema10 vient de passer au-dessus de ema20
        return ema10_prev < ema20_prev and ema10_now > ema20_now

    def should_short(self) -> bool:
        """
        Sell signal (optionnel pour spot) : EMA 10 crosses below EMA 20
        """
        if len(self.candles) < 21:
            return False

        ema10_now = self.candles["ema10"].iloc[-1]
        ema10_prev = self.candles["ema10"].iloc[-2]

        ema20_now = self.candles["ema20"].iloc[-1]
        ema20_prev = self.candles["ema20"].iloc[-2]

        return ema10_prev > ema20_prev and ema10_now < ema20_now

    def calculate_position_size(self) -> float:
        # Par exemple 10% du capital
        return self.balance * 0.1

    def calculate_stop_loss(self) -> float:
        # Stop à -2% par exemple
        return 0.02

    def calculate_take_profit(self) -> float:
        # TP à +4% par exemple
        return 0.04
'''

EMA_CROSS_EXAMPLE = '''import pandas_ta as ta

class MaNouvelleStrategie(Strategy):
    # Paramètres (attributs de classe numériques) : optimisables dans Backtest
    fast = 10  # période de l'EMA rapide
    slow = 20  # période de l'EMA lente

    def __init__(self, candles, balance, position=None):
        self.candles = candles
        self.balance = balance
        self.position = position

        # On suppose que candles est un DataFrame Pandas avec au moins la colonne 'close'
        self.candles["ema_fast"] = ta.ema(self.candles["close"], length=self.fast)
        self.candles["ema_slow"] = ta.ema(self.candles["close"], length=self.slow)

    def should_long(self) -> bool:
        """
        Buy signal : l'EMA rapide croise l'EMA lente à la hausse
        """
        if len(self.candles) < self.slow + 1:
            return False  # Pas assez de données

        fast_now = self.candles["ema_fast"].iloc[-1]
        fast_prev = self.candles["ema_fast"].iloc[-2]

        slow_now = self.candles["ema_slow"].iloc[-1]
        slow_prev = self.candles["ema_slow"].iloc[-2]

        # Croisement haussier : l'EMA rapide vient de passer au-dessus de l'EMA lente
        return fast_prev < slow_prev and fast_now > slow_now

    def should_short(self) -> bool:
        """
        Sell signal (optionnel pour spot) : l'EMA rapide croise l'EMA lente à la baisse
        """
        if len(self.candles) < self.slow + 1:
            return False

        fast_now = self.candles["ema_fast"].iloc[-1]
        fast_prev = self.candles["ema_fast"].iloc[-2]

        slow_now = self.candles["ema_slow"].iloc[-1]
        slow_prev = self.candles["ema_slow"].iloc[-2]

        return fast_prev > slow_prev and fast_now < slow_now

    def calculate_position_size(self) -> float:
        # Par exemple 10% du capital
        return self.balance * 0.1

    def calculate_stop_loss(self) -> float:
        # Stop à -2% par exemple
        return 0.02

    def calculate_take_profit(self) -> float:
        # TP à +4% par exemple
        return 0.04
'''
