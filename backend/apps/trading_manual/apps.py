from django.apps import AppConfig


class TradingManualConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.trading_manual"
    label = "trading_manual"
    verbose_name = "Trading manuel"
