from django.apps import AppConfig


class BrokersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.brokers"
    label = "brokers"
    verbose_name = "Brokers"
