"""Lectures des données de marché."""

from __future__ import annotations

from apps.market_data.models import MarketSymbolsJob


def market_symbols_job_get(*, exchange_id: str, job_id: int | None = None) -> MarketSymbolsJob | None:
    """Le job de chargement des paires demandé, ou le plus récent de l'exchange (`None` s'il n'y en a pas)."""
    jobs = MarketSymbolsJob.objects.filter(exchange=exchange_id)
    if job_id is not None:
        jobs = jobs.filter(pk=job_id)
    return jobs.order_by("-created_at", "-pk").first()
