"""Les modèles du heartbeat passent à l'app `heartbeat` : état Django seulement, tables intactes
(`heartbeat_status`, `candles_heartbeat`, `heartbeat_signals`), reprises par `heartbeat.0001`."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="CandleHeartbeat"),
                migrations.DeleteModel(name="HeartbeatSignal"),
                migrations.DeleteModel(name="HeartbeatStatus"),
            ],
            database_operations=[],
        ),
    ]
