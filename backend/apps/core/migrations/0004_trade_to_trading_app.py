"""Le modèle `Trade` passe à l'app `trading` : état Django seulement, la table `trades` reste
(reprise par `trading.0001`, qui retire aussi ses clés étrangères vers les fonctionnalités)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_heartbeat_models_to_heartbeat_app"),
        ("trading_engine", "0003_position_trades_in_trading_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Trade")],
            database_operations=[],
        ),
    ]
