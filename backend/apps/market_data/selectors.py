"""Lectures des données de marché."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from apps.market_data.models import MarketSymbol, MarketSymbolsJob


def market_symbols_search(
    *, exchange: str = "", quote: str = "", active_only: bool = False, search: str = ""
) -> QuerySet[MarketSymbol]:
    """Paires de la table partagée, par symbole ; `search` accepte `btc`, `BTC-USDT`, `btcusdt`."""
    qs = MarketSymbol.objects.all()
    if exchange:
        qs = qs.filter(exchange=exchange.lower())
    if quote:
        qs = qs.filter(quote=quote.upper())
    if active_only:
        qs = qs.filter(active=True)
    text = search.strip().upper().replace("-", "/")
    if text:
        qs = qs.filter(Q(symbol__icontains=text) | Q(exchange_symbol__icontains=text))
    return qs.order_by("symbol")


def market_symbols_job_get(*, exchange_id: str, job_id: int | None = None) -> MarketSymbolsJob | None:
    """Le job de chargement des paires demandé, ou le plus récent de l'exchange (`None` s'il n'y en a pas)."""
    jobs = MarketSymbolsJob.objects.filter(exchange=exchange_id)
    if job_id is not None:
        jobs = jobs.filter(pk=job_id)
    return jobs.order_by("-created_at", "-pk").first()
