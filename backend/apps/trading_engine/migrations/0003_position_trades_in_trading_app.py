"""Les positions pointent vers `trading.Trade` (même table `trades`) : état seulement."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('trading', '0001_initial'),
        ('trading_engine', '0002_engine_state'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='position',
                    name='entry_trade',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='trading.trade'),
                ),
                migrations.AlterField(
                    model_name='position',
                    name='exit_trade',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='trading.trade'),
                ),
    ],
        ),
    ]
