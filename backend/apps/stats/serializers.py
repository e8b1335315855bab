"""Validation des paramètres des statistiques (`?broker=&start=&end=&interval=&tz=`)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework import serializers

from apps.brokers.models import Broker
from apps.core.access import owned_get
from apps.stats.selectors import INTERVALS, StatsFilters
from apps.trading.models import Trade

ISO_HINT = "format ISO attendu, ex. 2026-01-31 ou 2026-01-31T12:00:00Z"
MIN_YEAR, MAX_YEAR = 1970, 2200


def _parse_moment(value: str, *, field: str) -> date | datetime:
    text = value.strip().replace(" ", "+") if "T" in value else value.strip()
    try:
        parsed = parse_datetime(text) if "T" in text else parse_date(text)
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None:
        raise serializers.ValidationError(f"Date « {field} » invalide : « {value} » ({ISO_HINT}).")
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise serializers.ValidationError(
            f"Date « {field} » hors limites : « {value} » (années {MIN_YEAR} à {MAX_YEAR}).")
    return parsed


def _bound(value: date | datetime, tz: ZoneInfo, *, end: bool) -> datetime:
    """Date seule : minuit dans le fuseau (fin incluse : minuit du lendemain) ; heure naïve : fuseau."""
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=tz)
    day = value + timedelta(days=1) if end else value
    return datetime.combine(day, time.min, tzinfo=tz)


VENUE_FILTERS = {"real": False, "paper": True}  # ?broker=real|paper → Broker.is_paper


class StatsQuerySerializer(serializers.Serializer):
    """Filtres communs. `end` est exclusive pour une date-heure, incluse pour une date seule."""

    broker = serializers.CharField(required=False, allow_blank=True)
    start = serializers.CharField(required=False, allow_blank=True)
    end = serializers.CharField(required=False, allow_blank=True)
    tz = serializers.CharField(required=False, allow_blank=True, default="UTC")

    def validate_broker(self, value: str) -> int | str | None:
        """Un id de broker, `real` (tous les comptes réels), `paper` (tous les papier), ou tous."""
        value = value.strip()
        if value in ("", "all"):
            return None
        if value in VENUE_FILTERS:
            return value
        if not (value.isascii() and value.isdigit() and len(value) <= 18):
            raise serializers.ValidationError(
                f"Filtre « broker » invalide : « {value[:40]} » (identifiant entier, « real » ou "
                "« paper » attendu)."
            )
        return int(value)

    def validate_start(self, value: str) -> date | datetime | None:
        return _parse_moment(value, field="start") if value.strip() else None

    def validate_end(self, value: str) -> date | datetime | None:
        return _parse_moment(value, field="end") if value.strip() else None

    def validate_tz(self, value: str) -> str:
        name = value.strip() or "UTC"
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise serializers.ValidationError(f"Fuseau horaire inconnu : « {name} ».") from None
        return name

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        tz = ZoneInfo(attrs.get("tz") or "UTC")
        start = attrs.get("start")
        end = attrs.get("end")
        attrs["start"] = _bound(start, tz, end=False) if start else None
        attrs["end"] = _bound(end, tz, end=True) if end else None
        if attrs["start"] and attrs["end"] and attrs["start"] >= attrs["end"]:
            raise serializers.ValidationError(
                {"end": ["Période invalide : la fin doit être postérieure au début."]}
            )
        return attrs

    def filters(self, *, user: Any) -> StatsFilters:
        """Les filtres validés ; un broker d'un autre utilisateur donne une 404 en français."""
        data = self.validated_data
        broker = data.get("broker")
        if isinstance(broker, str):  # comptes réels ou papier : jamais additionnés ensemble
            return StatsFilters(paper=VENUE_FILTERS[broker], start=data["start"], end=data["end"])
        if broker is not None:
            owned_get(Broker.objects.all(), user, broker, label="Broker")
        return StatsFilters(broker_id=broker, start=data["start"], end=data["end"])


def _interval_field(default: str) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=list(INTERVALS), required=False, default=default,
        error_messages={"invalid_choice": "Intervalle « {input} » invalide : day ou hour."},
    )


class PnlHistoryQuerySerializer(StatsQuerySerializer):
    interval = _interval_field("day")


class BalanceHistoryQuerySerializer(StatsQuerySerializer):
    interval = _interval_field("hour")


class SymbolsQuerySerializer(StatsQuerySerializer):
    source = serializers.ChoiceField(
        choices=Trade.Source.values, required=False, allow_blank=True,
        error_messages={"invalid_choice": "Source « {input} » invalide : manual, strategy ou webhook."},
    )


# --- Réponses (documentation OpenAPI) ---------------------------------------------------------


class StatsMetricsSerializer(serializers.Serializer):
    """Agrégats d'un groupe de trades ; montants en texte décimal exact (devise de cotation)."""

    pnl = serializers.CharField(help_text="P&L réalisé : somme des profit_loss")
    closed_trades = serializers.IntegerField(help_text="Trades avec profit_loss renseigné")
    wins = serializers.IntegerField()
    losses = serializers.IntegerField()
    win_rate = serializers.CharField(allow_null=True, help_text="wins / closed_trades (4 décimales)")
    fees = serializers.CharField(help_text="Frais des ordres `filled` (fee_quote)")
    volume = serializers.CharField(help_text="Montant des ordres `filled` (cost)")
    orders = serializers.IntegerField(help_text="Ordres `filled`")
    errors = serializers.IntegerField(help_text="Tentatives au statut `error`")


class StatsSourceSerializer(StatsMetricsSerializer):
    source = serializers.CharField()
    label = serializers.CharField()


class StatsBySourceSerializer(serializers.Serializer):
    manual = StatsSourceSerializer()
    strategy = StatsSourceSerializer()
    webhook = StatsSourceSerializer()


class StatsSummarySerializer(serializers.Serializer):
    total = StatsMetricsSerializer()
    by_source = StatsBySourceSerializer()


class StrategyStatsSerializer(StatsMetricsSerializer):
    strategy_id = serializers.IntegerField(allow_null=True, help_text="Nul : stratégie supprimée")
    name = serializers.CharField(allow_null=True)


class WebhookSourceStatsSerializer(StatsMetricsSerializer):
    source = serializers.CharField(allow_null=True, help_text="Libellé `source` de l'alerte")


class SymbolStatsSerializer(StatsMetricsSerializer):
    symbol = serializers.CharField()


def results_of(item: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    return type(name, (serializers.Serializer,), {"results": item(many=True)})


class PnlPointSerializer(serializers.Serializer):
    time = serializers.DateTimeField(help_text="Début de l'intervalle, dans le fuseau demandé")
    timestamp = serializers.IntegerField(help_text="Même instant en secondes Unix")
    pnl = serializers.CharField(help_text="P&L réalisé dans l'intervalle")
    cumulative = serializers.CharField(help_text="P&L réalisé cumulé depuis le début de la période")
    closed_trades = serializers.IntegerField()


class PnlHistorySerializer(serializers.Serializer):
    interval = serializers.ChoiceField(choices=list(INTERVALS))
    timezone = serializers.CharField()
    kind = serializers.CharField(help_text="Toujours `realized_pnl` : pas le solde du compte")
    opening_pnl = serializers.CharField(help_text="P&L réalisé avant `start` (mêmes filtres)")
    points = PnlPointSerializer(many=True)


class BalanceAssetSerializer(serializers.Serializer):
    asset = serializers.CharField()
    total = serializers.CharField(help_text="Quantité détenue (libre + bloquée), tous brokers")
    usd_value = serializers.CharField(allow_null=True, help_text="Nul : aucun prix trouvé")


class BalanceBrokerValueSerializer(serializers.Serializer):
    broker_id = serializers.IntegerField()
    total_usd = serializers.CharField(allow_null=True, help_text="Nul : solde illisible")
    error = serializers.CharField(allow_null=True, help_text="Pourquoi le solde n'a pas été lu")


class BalanceHistoryPointSerializer(serializers.Serializer):
    time = serializers.DateTimeField(help_text="Début de l'intervalle, dans le fuseau demandé")
    timestamp = serializers.IntegerField(help_text="Même instant en secondes Unix")
    taken_at = serializers.DateTimeField(help_text="Relevé le plus récent retenu dans l'intervalle")
    total_usd = serializers.CharField(allow_null=True, help_text="Nul : un broker illisible (trou)")
    assets = BalanceAssetSerializer(many=True, help_text="Les 5 actifs les plus valorisés")
    others_count = serializers.IntegerField(help_text="Actifs non détaillés")
    others_usd = serializers.CharField(help_text="Leur valeur cumulée")
    brokers = BalanceBrokerValueSerializer(many=True)


class BrokerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class BalanceHistorySerializer(serializers.Serializer):
    interval = serializers.ChoiceField(choices=list(INTERVALS))
    timezone = serializers.CharField()
    kind = serializers.CharField(help_text="Toujours `balance`")
    snapshot_minutes = serializers.FloatField(help_text="Cadence des relevés du moteur (0 : aucun)")
    brokers = BrokerRefSerializer(many=True)
    points = BalanceHistoryPointSerializer(many=True)


class BalanceSnapshotResultSerializer(serializers.Serializer):
    broker_id = serializers.IntegerField()
    broker_name = serializers.CharField()
    total_usd = serializers.CharField(allow_null=True)
    error = serializers.CharField(allow_null=True)


class BalanceSnapshotsSerializer(serializers.Serializer):
    taken_at = serializers.DateTimeField(allow_null=True, help_text="Nul : aucun broker")
    results = BalanceSnapshotResultSerializer(many=True)
