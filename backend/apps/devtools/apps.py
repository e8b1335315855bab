from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Outils de développement (pas une fonctionnalité du produit) : la commande
    `run_exchange_simulator` au-dessus du paquet `exchange_simulator` (sans Django)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.devtools"
    verbose_name = "Outils de développement"
