"""Écritures des statistiques : les relevés de solde (`BalanceSnapshot`).

Un **passage** relève le solde valorisé (`balance_fetch`, le même que la page Trading manuel) de
chaque broker concerné, en parallèle, et enregistre une ligne par broker au **même instant**
`taken_at` : les totaux tous brokers confondus se calculent à instants communs. Un solde illisible
donne une ligne sans total, avec l'erreur en français (un trou dans la courbe, pas un zéro).

Trois appelants, un seul service :
- le moteur de trading (`apps/trading_engine/engine/balances.py`), toutes les
  ARISTOBOT_BALANCE_SNAPSHOT_MINUTES minutes, sur sa propre boucle : `balance_snapshots_take()` ;
- `manage.py snapshot_balances` et `POST /api/stats/balance-snapshots/` (brokers de l'utilisateur) :
  `balance_snapshots_record()`, qui exécute le même passage sur la boucle d'exchange du processus.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.brokers.models import Broker
from apps.core.exceptions import AristobotError, ThrottledError
from apps.core.numbers import decimal_text
from apps.core.ratelimit import SlidingWindowLimiter, wait_text
from apps.core.services.exchange import balance_fetch
from apps.core.services.exchange_loop import exchange_loop_run
from apps.stats.models import BalanceSnapshot

logger = logging.getLogger("aristobot.stats")

SNAPSHOT_CONCURRENCY = 4  # brokers relevés en même temps
SNAPSHOT_TIMEOUT_S = 90.0  # au-delà (reprises CCXT comprises), le solde est noté illisible
# « Relever maintenant » : au plus 6 passages par minute et par utilisateur (chacun interroge
# l'exchange de chaque broker).
_manual_limiter = SlidingWindowLimiter(limit=6, window_s=60.0)


def _brokers_to_snapshot(user_id: int | None) -> list[Broker]:
    brokers = Broker.objects.filter(user__is_active=True).order_by("pk")
    if user_id is not None:
        brokers = brokers.filter(user_id=user_id)
    return list(brokers)


def _asset_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "asset": row["asset"],
        **{key: decimal_text(row.get(key)) for key in ("free", "used", "total", "usd_price", "usd_value")},
    }


async def _read(broker: Broker, gate: asyncio.Semaphore) -> dict[str, Any]:
    """Le solde valorisé d'un broker, ou `{"error": message français}` s'il est illisible."""
    async with gate:
        try:
            async with asyncio.timeout(SNAPSHOT_TIMEOUT_S):
                balance = await balance_fetch(broker=broker)
        except AristobotError as exc:
            return {"error": str(exc.message)}
        except TimeoutError:
            return {"error": f"Solde non lu : délai de {SNAPSHOT_TIMEOUT_S:.0f} s dépassé."}
        except Exception as exc:  # noqa: BLE001 — un broker en échec ne fait pas échouer le passage
            logger.exception("Relevé du solde du broker %s en échec", broker.pk)
            return {"error": f"Solde non lu : erreur inattendue ({type(exc).__name__})."}
    return {"total_usd": balance["total_usd"], "assets": [_asset_row(r) for r in balance["balances"]]}


def _store(
    brokers: list[Broker], readings: list[dict[str, Any]], taken_at: datetime
) -> list[BalanceSnapshot]:
    rows = [
        BalanceSnapshot(
            user_id=broker.user_id, broker=broker, taken_at=taken_at,
            total_usd=reading.get("total_usd"), assets=reading.get("assets", []),
            error=(reading.get("error") or "")[:2000],
        )
        for broker, reading in zip(brokers, readings, strict=True)
    ]
    with transaction.atomic():
        # Un broker supprimé pendant le passage n'est pas relevé (clé étrangère disparue).
        alive = set(Broker.objects.filter(pk__in=[b.pk for b in brokers]).values_list("pk", flat=True))
        return BalanceSnapshot.objects.bulk_create([row for row in rows if row.broker_id in alive])


async def balance_snapshots_take(*, user_id: int | None = None) -> list[BalanceSnapshot]:
    """Un passage : tous les brokers (des utilisateurs actifs), ou ceux d'un utilisateur.

    S'exécute dans la boucle de l'appelant (instances CCXT de cette boucle) ; renvoie les relevés
    enregistrés, illisibles compris.
    """
    brokers = await sync_to_async(_brokers_to_snapshot)(user_id)
    if not brokers:
        return []
    taken_at = timezone.now()
    gate = asyncio.Semaphore(SNAPSHOT_CONCURRENCY)
    readings = await asyncio.gather(*(_read(broker, gate) for broker in brokers))
    snapshots = await sync_to_async(_store)(brokers, list(readings), taken_at)
    failed = sum(1 for s in snapshots if s.total_usd is None)
    logger.info("Soldes relevés : %d broker(s), %d illisible(s)", len(snapshots), failed)
    return snapshots


def balance_snapshots_record(*, user: Any = None) -> list[BalanceSnapshot]:
    """Même passage depuis du code synchrone (commande, vue) : sur la boucle d'exchange du processus."""
    return exchange_loop_run(balance_snapshots_take(user_id=getattr(user, "pk", None)))


def balance_snapshots_request(*, user: Any) -> list[BalanceSnapshot]:
    """« Relever maintenant » (POST) : les brokers de l'utilisateur, débit limité (429 en français)."""
    wait = _manual_limiter.hit(str(user.pk))
    if wait:
        raise ThrottledError(f"Trop de relevés demandés : réessayez dans {wait_text(wait)}.",
                             retry_after=wait)
    return balance_snapshots_record(user=user)


def balance_snapshots_prune(*, now: datetime | None = None) -> int:
    """Efface les relevés plus vieux que ARISTOBOT_BALANCE_SNAPSHOT_RETENTION_DAYS (0 : aucun)."""
    days = settings.ARISTOBOT_BALANCE_SNAPSHOT_RETENTION_DAYS
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted, _ = BalanceSnapshot.objects.filter(taken_at__lt=cutoff).delete()
    return deleted
