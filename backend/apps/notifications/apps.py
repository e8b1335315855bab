import logging

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.notifications"
    label = "notifications"
    verbose_name = "Notifications Telegram"

    def ready(self) -> None:
        # Les URL de l'API Bot contiennent le jeton : httpx en écrit une par requête (niveau INFO).
        # Ses lignes sont masquées à la source, avant tout gestionnaire (console comme tests).
        from apps.core.log_redaction import RedactSecretsFilter

        httpx_logger = logging.getLogger("httpx")
        if not any(isinstance(f, RedactSecretsFilter) for f in httpx_logger.filters):
            httpx_logger.addFilter(RedactSecretsFilter())
