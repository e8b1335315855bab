from django.apps import AppConfig


class TradingEngineConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.trading_engine"
    label = "trading_engine"
    verbose_name = "Moteur de trading"
