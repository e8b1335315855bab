"""Services du Trading BOT : activer, modifier, arrêter, suspendre, reprendre, vendre (limite de 20).

Après chaque changement (transaction validée) : `active_strategy.changed` au groupe de l'utilisateur et
`status.changed` (la barre de statut recompte les « Stratégies live »).
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.brokers.models import Broker
from apps.core.exceptions import AristobotError, ConflictError, LimitReachedError
from apps.core.numbers import number_fr
from apps.core.services.exchange_loop import exchange_loop_run
from apps.core.unset import UNSET, Unset, provided
from apps.strategies.models import Strategy
from apps.strategies.validity import strategy_activation_check
from apps.trading_engine.engine.notify import Notifier, active_event, notify_on_commit
from apps.trading_engine.engine.positions import position_close
from apps.trading_engine.models import ActiveStrategy, Position
from apps.trading_engine.selectors import open_position_get

_ACTIVE_LIMIT_LOCK = 7_301_002
STOP_DATE = datetime(2001, 1, 1, tzinfo=UTC)  # « 01.01.01 » de la spec : bouton Stop


def _check_active_limit(*, exclude_pk: int | None = None) -> None:
    """Verrouille puis vérifie la limite globale de stratégies actives (20)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ACTIVE_LIMIT_LOCK])
    limit = settings.ARISTOBOT_MAX_ACTIVE_STRATEGIES
    live = ActiveStrategy.objects.filter(is_active=True, end_date__gt=timezone.now())
    if exclude_pk is not None:
        live = live.exclude(pk=exclude_pk)
    if live.count() >= limit:
        raise LimitReachedError(
            f"Limite atteinte : au maximum {limit} stratégies actives simultanément. "
            "Arrêtez ou suspendez une stratégie avant d'en activer une autre."
        )


def _validate_dates(start: datetime, end: datetime) -> None:
    if end <= start:
        raise AristobotError(
            "La date de fin doit être postérieure à la date de début.",
            errors={"end_date": ["Doit être après la date de début."]},
        )


@transaction.atomic
def active_strategy_create(
    *,
    user: User,
    strategy: Strategy,
    broker: Broker,
    symbol: str,
    start_date: datetime,
    end_date: datetime,
    is_active: bool = True,
) -> ActiveStrategy:
    """Active une stratégie sur un broker et un symbole (propriétaire : celui de la stratégie)."""
    _validate_dates(start_date, end_date)
    if broker.user_id != strategy.user_id:
        raise AristobotError("La stratégie et le broker doivent appartenir au même utilisateur.")
    if is_active:
        strategy_activation_check(strategy=strategy)
        _check_active_limit()
    active = ActiveStrategy(user_id=strategy.user_id, strategy=strategy, broker=broker,
                            symbol=symbol, start_date=start_date, end_date=end_date,
                            is_active=is_active)
    active.full_clean()
    active.save()
    _changed(active)
    return active


@transaction.atomic
def active_strategy_update(
    *,
    active: ActiveStrategy,
    strategy: Strategy | Unset = UNSET,
    broker: Broker | Unset = UNSET,
    symbol: str | Unset = UNSET,
    start_date: datetime | Unset = UNSET,
    end_date: datetime | Unset = UNSET,
    is_active: bool | Unset = UNSET,
) -> ActiveStrategy:
    """Modifie les champs fournis ; dates cohérentes et limite de stratégies live tenues."""
    for field, value in provided(strategy=strategy, broker=broker, symbol=symbol,
                                 start_date=start_date, end_date=end_date,
                                 is_active=is_active).items():
        setattr(active, field, value)
    if active.broker.user_id != active.strategy.user_id:
        raise AristobotError("La stratégie et le broker doivent appartenir au même utilisateur.")
    _validate_dates(active.start_date, active.end_date)
    if active.is_active and active.end_date > timezone.now():
        if not isinstance(is_active, Unset) or not isinstance(strategy, Unset):
            strategy_activation_check(strategy=active.strategy)  # activée, ou autre stratégie
        _check_active_limit(exclude_pk=active.pk)
    active.full_clean()
    active.save()
    _changed(active)
    return active


def _changed(active: ActiveStrategy) -> None:
    notify_on_commit(active.user_id, active_event(active), status=True)


def _locked(active: ActiveStrategy) -> ActiveStrategy:
    return ActiveStrategy.objects.select_for_update().get(pk=active.pk)


@transaction.atomic
def active_strategy_stop(*, active: ActiveStrategy, confirm: bool = False) -> ActiveStrategy:
    """Bouton « Stop » : date de fin au 01.01.2001 et `is_active=False` (spec §4.4) : la stratégie ne
    reçoit plus aucun signal (ni achat, ni vente sur signal) et ne peut pas être reprise.

    Une position ouverte exige une confirmation ; elle reste ouverte avec ses protections : ordres
    SL/TP laissés sur l'exchange, ou seuils surveillés (la surveillance des positions du moteur
    continue, stratégie arrêtée ou non) ; « Vendre » la clôture.
    """
    active = _locked(active)
    position = open_position_get(active=active)
    if position is not None and not confirm:
        base = position.symbol.split("/")[0]
        raise ConflictError(
            f"Une position est ouverte sur {position.symbol} ({number_fr(position.quantity)} {base}) : "
            "confirmez l'arrêt (elle restera ouverte avec ses SL/TP, toujours suivis par le moteur ; "
            "« Vendre » la clôture).",
            code="position_open", extra={"position_id": position.pk},
        )
    active.end_date, active.is_active = STOP_DATE, False
    active.save(update_fields=["end_date", "is_active", "updated_at"])
    _changed(active)
    return active


@transaction.atomic
def user_trading_release(*, user: User) -> int:
    """Avant la suppression d'un utilisateur : ses stratégies actives sont arrêtées (bouton Stop,
    confirmé) puis retirées avec leurs positions, pour que rien ne trade plus en son nom.

    Les positions ouvertes restent sur l'exchange (rien n'est vendu sans le propriétaire).
    Branché dans `accounts` par le réglage ARISTOBOT_USER_RELEASE. Renvoie le nombre de
    stratégies actives retirées.
    """
    actives = list(ActiveStrategy.objects.select_for_update().filter(user=user))
    for active in actives:
        if active.is_active:
            active_strategy_stop(active=active, confirm=True)
    Position.objects.filter(user=user).delete()
    ActiveStrategy.objects.filter(user=user).delete()
    return len(actives)


@transaction.atomic
def active_strategy_suspend(*, active: ActiveStrategy) -> ActiveStrategy:
    """Bouton « Suspendre » : `is_active=False`, dates conservées."""
    active = _locked(active)
    active.is_active = False
    active.save(update_fields=["is_active", "updated_at"])
    _changed(active)
    return active


@transaction.atomic
def active_strategy_resume(*, active: ActiveStrategy) -> ActiveStrategy:
    """Reprise d'une stratégie suspendue (limite de 20 vérifiée)."""
    active = _locked(active)
    if active.end_date <= timezone.now():
        raise ConflictError(
            "Stratégie arrêtée ou expirée (date de fin passée) : modifiez sa date de fin pour la relancer.",
            code="strategy_ended",
        )
    if not active.is_active:
        strategy_activation_check(strategy=active.strategy)
        _check_active_limit(exclude_pk=active.pk)
        active.is_active = True
        active.save(update_fields=["is_active", "updated_at"])
        _changed(active)
    return active


def active_strategy_sell(*, active: ActiveStrategy) -> Position:
    """Bouton « Vendre » : vente au marché de la position ouverte, la stratégie reste active.

    Exécutée dans ce processus (Daphne) par la boucle d'exchange dédiée, avec la même fonction de
    clôture que le moteur (protections annulées, P&L) ; le bail de clôture empêche toute double vente.
    """
    position = open_position_get(active=active)
    if position is None:
        raise ConflictError("Aucune position ouverte à vendre pour cette stratégie.", code="no_position")

    async def _sell() -> Position | None:
        return await position_close(position_id=position.pk, reason="manual", notifier=Notifier(),
                                    busy_error=True)

    closed = exchange_loop_run(_sell())
    assert closed is not None  # busy_error : sinon ConflictError
    return closed
