from django.apps import AppConfig


class TradingConfig(AppConfig):
    """Ordres : le journal `Trade`, l'envoi, les protections, les réponses perdues, le P&L."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.trading"
    verbose_name = "Ordres et trades"
