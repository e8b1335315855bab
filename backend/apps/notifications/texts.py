"""Textes français des messages Telegram (texte brut : aucune mise en forme à échapper)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from apps.core.numbers import number_fr

SIDES = {"buy": "Achat", "sell": "Vente"}
REASONS = {
    "stop_loss": "🛑 Stop loss touché",
    "take_profit": "🎯 Take profit touché",
    "signal": "Position clôturée par la stratégie",
    "manual": "Position vendue (bouton « Vendre »)",
    "reprise": "Position clôturée (vente retrouvée à la reprise)",
}
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_ERROR_MAX = 600


def signed(value: Decimal | None, decimals: int = 2) -> str:
    """« +12,34 », « -1,50 » (signe toujours écrit, deux décimales au moins)."""
    if value is None:
        return "?"
    text = number_fr(value, decimals=decimals, min_decimals=min(2, decimals))
    return text if text.startswith("-") else f"+{text}"


def quote_of(symbol: str) -> str:
    return symbol.partition("/")[2].split(":")[0]


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= _ERROR_MAX else text[: _ERROR_MAX - 1] + "…"


def _pnl(value: Decimal | None, pct: Decimal | None, quote: str) -> str:
    if value is None:
        return ""
    percent = f" ({signed(pct)} %)" if pct is not None else ""
    return f"P&L réalisé : {signed(value)} {quote}{percent}"


def order_text(trade: Any, origin: str) -> str:
    """Un ordre exécuté, en échec ou au statut inconnu."""
    side, symbol, quote = SIDES.get(trade.side, trade.side), trade.symbol, quote_of(trade.symbol)
    venue = f"{trade.exchange}{' (testnet)' if trade.is_testnet else ''}"
    if trade.status in ("filled", "partially_filled"):
        title = "✅ Ordre exécuté" if trade.status == "filled" else "✅ Ordre partiellement exécuté"
        lines = [f"{title} — {side} {number_fr(trade.quantity)} {symbol}",
                 f"Prix moyen : {number_fr(trade.price)} · montant : {number_fr(trade.cost, decimals=8)} "
                 f"{quote}"]
        if trade.fee_quote:
            lines[-1] += f" · frais : {number_fr(trade.fee_quote, decimals=8)} {quote}"
        if trade.profit_loss is not None:
            lines.append(_pnl(trade.profit_loss, trade.profit_loss_pct, quote))
    elif trade.status == "unknown":
        lines = [f"⚠️ Ordre au statut inconnu — {side} {symbol} : à vérifier sur l'exchange",
                 _short(trade.error_message)]
    else:
        lines = [f"❌ Ordre en échec — {side} {symbol}", _short(trade.error_message or "Refusé.")]
    lines.append(f"{origin} · {venue}")
    return "\n".join(lines)


def position_text(*, position: Any, trade: Any, reason: str, strategy: str) -> str:
    """Une position de stratégie clôturée (SL, TP, signal, bouton « Vendre », reprise)."""
    quote = quote_of(position.symbol)
    title = REASONS.get(reason, f"Position clôturée ({reason})")
    return "\n".join([
        f"{title} — {position.symbol}, stratégie « {strategy} »",
        f"Vendu : {number_fr(trade.quantity)} à {number_fr(trade.price)} (entrée à "
        f"{number_fr(position.entry_price)})",
        _pnl(position.realized_pnl, trade.profit_loss_pct, quote),
    ])


def strategy_error_text(*, strategy: str, symbol: str, timeframe: str, error: str) -> str:
    return f"⚠️ Erreur de la stratégie « {strategy} » ({symbol}, {timeframe})\n{_short(error)}"


def _minutes(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60:02d}"


def heartbeat_down_text(*, problem: str, down_s: float) -> str:
    return (f"🔴 Heartbeat en panne depuis {_minutes(down_s)} : {problem}.\n"
            "Les stratégies ne reçoivent plus de signaux fiables ; les SL/TP restent surveillés.")


def heartbeat_up_text(*, down_s: float) -> str:
    return f"🟢 Heartbeat rétabli après environ {_minutes(down_s)} de panne : signaux de nouveau reçus."


def day_label(day: dt.date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day:%d/%m/%Y}"


def _totals(pnl_by_quote: Mapping[str, Decimal]) -> str:
    if not pnl_by_quote:
        return "0"
    return " ; ".join(f"{signed(value)} {quote}" for quote, value in sorted(pnl_by_quote.items()))


def _position_line(item: Mapping[str, Any]) -> str:
    quote = quote_of(item["symbol"])
    latent = item.get("unrealized_pnl")
    latent_text = f" ; latent : {signed(latent)} {quote}" if latent is not None else ""
    return (f"• {item['symbol']} — {number_fr(item['quantity'])} à {number_fr(item['entry_price'])} "
            f"(stratégie « {item.get('strategy') or '?'} »){latent_text}")


def summary_text(*, day: dt.date, zone: str, stats: Mapping[str, Any],
                 positions: Iterable[Mapping[str, Any]]) -> str:
    """Le résumé quotidien : P&L réalisé du jour, ordres, positions ouvertes."""
    positions = list(positions)
    lines = [
        f"📊 Résumé du {day_label(day)} ({zone})",
        f"P&L réalisé du jour : {_totals(stats['pnl'])} ({stats['closed']} clôture(s) : "
        f"{stats['wins']} gagnante(s), {stats['losses']} perdante(s))",
        f"Ordres exécutés : {stats['executed']} · en échec : {stats['errors']}",
    ]
    if positions:
        lines.append(f"Positions ouvertes ({len(positions)}) :")
        lines += [_position_line(item) for item in positions]
    else:
        lines.append("Aucune position ouverte.")
    return "\n".join(lines)


def test_text(bot_name: str) -> str:
    return (f"✅ Aristobot : message de test de {bot_name}. Les notifications Telegram arriveront "
            "ici (ordres, SL/TP, erreurs de stratégie, heartbeat, résumé quotidien).")
