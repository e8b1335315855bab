"""Catalogue des paires simulées : prix de référence, pas de cotation et filtres Binance."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

ORDER_TYPES: tuple[str, ...] = (
    "LIMIT",
    "LIMIT_MAKER",
    "MARKET",
    "STOP_LOSS",
    "STOP_LOSS_LIMIT",
    "TAKE_PROFIT",
    "TAKE_PROFIT_LIMIT",
)
MAX_NUM_ORDERS = 200
MAX_NUM_ALGO_ORDERS = 5
ASSET_PRECISION = 8


@dataclass(frozen=True)
class SymbolSpec:
    """Une paire spot : identité, règles de cotation (filtres) et paramètres du modèle de prix."""

    symbol: str
    base: str
    quote: str
    reference_price: float
    tick_size: Decimal
    step_size: Decimal
    min_notional: Decimal
    annual_volatility: float
    volume_per_minute: float
    max_qty: Decimal = Decimal("9000000")
    max_price: Decimal = Decimal("1000000")

    @property
    def min_qty(self) -> Decimal:
        return self.step_size

    @property
    def min_price(self) -> Decimal:
        return self.tick_size

    @property
    def market_max_qty(self) -> Decimal:
        return self.max_qty / 10


def _spec(
    symbol: str,
    base: str,
    quote: str,
    price: float,
    tick: str,
    step: str,
    vol: float,
    volume: float,
) -> SymbolSpec:
    min_notional = Decimal("5") if quote in ("USDT", "FDUSD") else Decimal("0.0001")
    max_price = Decimal("1000000") if quote == "USDT" else Decimal("1000")
    max_qty = Decimal("9000") if Decimal(step) < 1 and price > 10 else Decimal("9000000")
    return SymbolSpec(
        symbol=symbol,
        base=base,
        quote=quote,
        reference_price=price,
        tick_size=Decimal(tick),
        step_size=Decimal(step),
        min_notional=min_notional,
        annual_volatility=vol,
        volume_per_minute=volume,
        max_qty=max_qty,
        max_price=max_price,
    )


DEFAULT_SYMBOLS: dict[str, SymbolSpec] = {
    spec.symbol: spec
    for spec in (
        _spec("BTCUSDT", "BTC", "USDT", 60000.0, "0.01", "0.00001", 0.55, 12.0),
        _spec("ETHUSDT", "ETH", "USDT", 3000.0, "0.01", "0.0001", 0.70, 150.0),
        _spec("BNBUSDT", "BNB", "USDT", 550.0, "0.01", "0.001", 0.60, 40.0),
        _spec("SOLUSDT", "SOL", "USDT", 150.0, "0.01", "0.001", 0.90, 600.0),
        _spec("XRPUSDT", "XRP", "USDT", 0.55, "0.0001", "0.1", 0.80, 150000.0),
        _spec("ADAUSDT", "ADA", "USDT", 0.45, "0.0001", "0.1", 0.85, 120000.0),
        _spec("DOGEUSDT", "DOGE", "USDT", 0.12, "0.00001", "1", 0.95, 900000.0),
        _spec("LTCUSDT", "LTC", "USDT", 80.0, "0.01", "0.001", 0.75, 300.0),
        _spec("DOTUSDT", "DOT", "USDT", 7.0, "0.001", "0.01", 0.85, 5000.0),
        _spec("LINKUSDT", "LINK", "USDT", 15.0, "0.01", "0.01", 0.85, 2500.0),
        _spec("AVAXUSDT", "AVAX", "USDT", 30.0, "0.01", "0.01", 0.90, 1500.0),
        _spec("TRXUSDT", "TRX", "USDT", 0.12, "0.0001", "0.1", 0.60, 400000.0),
        _spec("ETHBTC", "ETH", "BTC", 0.05, "0.00001", "0.0001", 0.45, 40.0),
        _spec("BNBBTC", "BNB", "BTC", 0.0092, "0.000001", "0.001", 0.45, 15.0),
        _spec("SOLBTC", "SOL", "BTC", 0.0025, "0.0000001", "0.001", 0.70, 80.0),
        _spec("XRPBTC", "XRP", "BTC", 0.0000092, "0.00000001", "1", 0.65, 30000.0),
    )
}


def resolve_symbols(names: list[str] | None) -> dict[str, SymbolSpec]:
    """Renvoie les paires demandées (toutes si ``names`` est vide) ; refuse une paire inconnue."""
    if not names:
        return dict(DEFAULT_SYMBOLS)
    selected: dict[str, SymbolSpec] = {}
    for raw in names:
        name = raw.strip().upper().replace("/", "")
        if not name:
            continue
        if name not in DEFAULT_SYMBOLS:
            known = ", ".join(DEFAULT_SYMBOLS)
            raise ValueError(f"Paire inconnue du simulateur : {name} (connues : {known})")
        selected[name] = DEFAULT_SYMBOLS[name]
    if not selected:
        raise ValueError("Aucune paire valide demandée au simulateur")
    return selected


def fmt(value: Decimal | float | int) -> str:
    """Formate un nombre comme Binance : chaîne à 8 décimales (``"60000.01000000"``)."""
    return f"{Decimal(value):.8f}"


def symbol_info(spec: SymbolSpec) -> dict[str, object]:
    """Entrée ``symbols[]`` d'``exchangeInfo``, au format Binance."""
    return {
        "symbol": spec.symbol,
        "status": "TRADING",
        "baseAsset": spec.base,
        "baseAssetPrecision": ASSET_PRECISION,
        "quoteAsset": spec.quote,
        "quotePrecision": ASSET_PRECISION,
        "quoteAssetPrecision": ASSET_PRECISION,
        "baseCommissionPrecision": ASSET_PRECISION,
        "quoteCommissionPrecision": ASSET_PRECISION,
        "orderTypes": list(ORDER_TYPES),
        "icebergAllowed": False,
        "ocoAllowed": True,
        "otoAllowed": False,
        "quoteOrderQtyMarketAllowed": True,
        "allowTrailingStop": False,
        "cancelReplaceAllowed": False,
        "amendAllowed": False,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "filters": [
            {
                "filterType": "PRICE_FILTER",
                "minPrice": fmt(spec.min_price),
                "maxPrice": fmt(spec.max_price),
                "tickSize": fmt(spec.tick_size),
            },
            {
                "filterType": "LOT_SIZE",
                "minQty": fmt(spec.min_qty),
                "maxQty": fmt(spec.max_qty),
                "stepSize": fmt(spec.step_size),
            },
            {
                "filterType": "MARKET_LOT_SIZE",
                "minQty": fmt(0),
                "maxQty": fmt(spec.market_max_qty),
                "stepSize": fmt(0),
            },
            {
                "filterType": "NOTIONAL",
                "minNotional": fmt(spec.min_notional),
                "applyMinToMarket": True,
                "maxNotional": fmt(Decimal("9000000")),
                "applyMaxToMarket": False,
                "avgPriceMins": 5,
            },
            {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": MAX_NUM_ORDERS},
            {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": MAX_NUM_ALGO_ORDERS},
        ],
        "permissions": [],
        "permissionSets": [["SPOT"]],
        "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
        "allowedSelfTradePreventionModes": ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
    }
