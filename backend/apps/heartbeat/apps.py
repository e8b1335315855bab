from django.apps import AppConfig


class HeartbeatConfig(AppConfig):
    """Heartbeat (spec §4.1) : démon du flux Binance, agrégation, stockage, cohérence, API."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.heartbeat"
    verbose_name = "Heartbeat"
