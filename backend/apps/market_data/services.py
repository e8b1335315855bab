"""Services des données de marché : « MAJ Paires de trading » (table partagée `market_symbols`).

Le chargement tourne en tâche asyncio sur la boucle des exchanges du processus
(`apps.core.services.exchange_loop`) : la requête HTTP répond 202 tout de suite, la boucle de Daphne
n'est jamais bloquée, et la tâche survit à la fin de la requête. La progression est écrite en base
(`MarketSymbolsJob`, lisible par n'importe quel worker) puis poussée sur le groupe de l'utilisateur
(`pairs.progress`). Un job resté « actif » sans nouvelles depuis `STALE_AFTER` (processus arrêté)
est marqué en erreur au lancement suivant.

Les paires viennent de l'instance publique de l'exchange principal (la table est partagée par
exchange), même quand le broker qui lance le chargement est en testnet.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core import groups
from apps.core.exceptions import AristobotError, ConflictError
from apps.core.services.exchange import markets_fetch
from apps.core.services.exchange_loop import exchange_loop_submit
from apps.core.unset import UNSET, Unset, provided
from apps.market_data.messages import MSG_PAIRS_PROGRESS
from apps.market_data.models import MarketSymbol, MarketSymbolsJob

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
STALE_AFTER = dt.timedelta(minutes=10)
_UPSERT_FIELDS = ["exchange_symbol", "base", "quote", "market_type", "active", "amount_precision",
                  "price_precision", "min_amount", "min_cost", "updated_at"]


def job_payload(job: MarketSymbolsJob) -> dict[str, Any]:
    """Représentation JSON d'un job (API et WebSocket)."""

    def iso(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": job.pk,
        "exchange": job.exchange,
        "status": job.status,
        "progress": job.progress,
        "total": job.total,
        "processed": job.processed,
        "created_count": job.created_count,
        "updated_count": job.updated_count,
        "deactivated_count": job.deactivated_count,
        "message": job.message,
        "error": job.error,
        "created_at": iso(job.created_at),
        "updated_at": iso(job.updated_at),
        "finished_at": iso(job.finished_at),
    }


def _expire_stale(*, exchange_id: str) -> None:
    MarketSymbolsJob.objects.filter(
        exchange=exchange_id,
        status__in=MarketSymbolsJob.ACTIVE_STATUSES,
        updated_at__lt=timezone.now() - STALE_AFTER,
    ).update(
        status=MarketSymbolsJob.Status.ERROR,
        error="Chargement interrompu (processus arrêté ?) : relancez-le.",
        finished_at=timezone.now(),
    )


def market_symbols_job_start(*, exchange_id: str, user_id: int | None) -> tuple[MarketSymbolsJob, bool]:
    """Crée un job et lance le chargement en arrière-plan ; renvoie `(job, lancé)`.

    Si un chargement est déjà actif pour cet exchange, renvoie celui-ci (`lancé` = faux).
    """
    _expire_stale(exchange_id=exchange_id)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                job = MarketSymbolsJob.objects.create(exchange=exchange_id, user_id=user_id)
        except IntegrityError:
            active = MarketSymbolsJob.objects.filter(
                exchange=exchange_id, status__in=MarketSymbolsJob.ACTIVE_STATUSES
            ).first()
            if active is not None:
                return active, False
            continue
        # La tâche doit voir la ligne : on la lance après la validation de la transaction.
        transaction.on_commit(lambda job_id=job.pk: _launch(exchange_id, job_id))
        return job, True
    raise ConflictError(f"Impossible de lancer le chargement des paires de {exchange_id} : réessayez.")


def _launch(exchange_id: str, job_id: int) -> None:
    future = exchange_loop_submit(markets_load(exchange_id=exchange_id, job_id=job_id))

    def _log_failure(done: Any) -> None:
        if not done.cancelled() and done.exception() is not None:
            logger.error("Chargement des paires %s en échec", exchange_id, exc_info=done.exception())

    future.add_done_callback(_log_failure)


async def _push(job: MarketSymbolsJob) -> None:
    """Pousse la progression au groupe de l'utilisateur (au mieux : la base fait foi)."""
    if not job.user_id:
        return
    layer = get_channel_layer()
    if layer is None:
        return
    event = {"type": MSG_PAIRS_PROGRESS, "job": job_payload(job)}
    try:
        await asyncio.wait_for(layer.group_send(groups.user_group(job.user_id), event), timeout=3)
    except Exception:
        logger.warning("Progression des paires non diffusée (channel layer)", exc_info=True)


async def _progress(
    job: MarketSymbolsJob,
    *,
    status: str | Unset = UNSET,
    progress: int | Unset = UNSET,
    message: str | Unset = UNSET,
    error: str | Unset = UNSET,
    total: int | Unset = UNSET,
    processed: int | Unset = UNSET,
    created_count: int | Unset = UNSET,
    updated_count: int | Unset = UNSET,
    deactivated_count: int | Unset = UNSET,
    finished_at: dt.datetime | Unset = UNSET,
) -> None:
    """Enregistre l'avancement du chargement des paires puis le diffuse à l'utilisateur."""
    fields = provided(status=status, progress=progress, message=message, error=error, total=total,
                      processed=processed, created_count=created_count,
                      updated_count=updated_count, deactivated_count=deactivated_count,
                      finished_at=finished_at)
    for name, value in fields.items():
        setattr(job, name, value)
    await job.asave(update_fields=[*fields, "updated_at"])
    await _push(job)


def _upsert(exchange_id: str, rows: list[dict[str, Any]]) -> None:
    MarketSymbol.objects.bulk_create(
        [MarketSymbol(exchange=exchange_id, **row) for row in rows],
        update_conflicts=True,
        unique_fields=["exchange", "symbol"],
        update_fields=_UPSERT_FIELDS,
    )


def _existing_symbols(exchange_id: str) -> set[str]:
    return set(MarketSymbol.objects.filter(exchange=exchange_id).values_list("symbol", flat=True))


async def markets_load(*, exchange_id: str, job_id: int | None = None) -> MarketSymbolsJob:
    """Charge toutes les paires spot de l'exchange dans `market_symbols` (upsert par (exchange, symbole)).

    Les paires disparues sont marquées inactives. Idempotent. Sans `job_id`, crée son propre job.
    """
    if job_id is None:
        try:
            job = await MarketSymbolsJob.objects.acreate(exchange=exchange_id)
        except IntegrityError:
            raise ConflictError(f"Un chargement des paires de {exchange_id} est déjà en cours.") from None
    else:
        job = await MarketSymbolsJob.objects.aget(pk=job_id)
    await _progress(job, status=MarketSymbolsJob.Status.RUNNING, progress=5,
                    message="Chargement des marchés depuis l'exchange…")
    try:
        rows = await markets_fetch(exchange_id=exchange_id)
        await _progress(job, total=len(rows), progress=20, message=f"{len(rows)} paires reçues, écriture…")
        existing = await sync_to_async(_existing_symbols)(exchange_id)
        seen: set[str] = set()
        for start in range(0, len(rows), BATCH_SIZE):
            batch = rows[start:start + BATCH_SIZE]
            await sync_to_async(_upsert)(exchange_id, batch)
            symbols = {row["symbol"] for row in batch}
            seen |= symbols
            created = len(symbols - existing)
            await _progress(
                job,
                processed=job.processed + len(batch),
                created_count=job.created_count + created,
                updated_count=job.updated_count + len(symbols) - created,
                progress=20 + (75 * (start + len(batch))) // max(len(rows), 1),
                message=f"{start + len(batch)}/{len(rows)} paires écrites",
            )
        deactivated = await (
            MarketSymbol.objects.filter(exchange=exchange_id, active=True)
            .exclude(symbol__in=seen)
            .aupdate(active=False)
        )
        await _progress(
            job, deactivated_count=deactivated, status=MarketSymbolsJob.Status.DONE, progress=100,
            message=f"{len(rows)} paires à jour ({deactivated} désactivée(s))", finished_at=timezone.now(),
        )
    except AristobotError as exc:
        await _progress(job, status=MarketSymbolsJob.Status.ERROR, error=exc.message,
                        message="Échec du chargement", finished_at=timezone.now())
    except Exception as exc:
        logger.exception("Chargement des paires %s : erreur interne", exchange_id)
        await _progress(job, status=MarketSymbolsJob.Status.ERROR, error=f"Erreur interne : {exc!r}",
                        message="Échec du chargement", finished_at=timezone.now())
    return job
