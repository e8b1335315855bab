"""Modèles du heartbeat repris de l'app `core` : état Django seulement, les tables existent déjà
(créées par `core.0001`, voir `core.0003`)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("core", "0003_heartbeat_models_to_heartbeat_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='HeartbeatStatus',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('is_connected', models.BooleanField(default=False)),
                        ('last_heartbeat', models.DateTimeField(blank=True, help_text='Dernier signal émis', null=True)),
                        ('last_message_at', models.DateTimeField(blank=True, help_text='Dernier message reçu', null=True)),
                        ('symbols', models.JSONField(blank=True, default=list)),
                        ('last_error', models.TextField(blank=True, default='')),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'verbose_name': 'état du heartbeat',
                        'db_table': 'heartbeat_status',
                    },
                ),
                migrations.CreateModel(
                    name='CandleHeartbeat',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('symbol', models.CharField(max_length=30)),
                        ('timeframe', models.CharField(choices=[('1m', '1m'), ('3m', '3m'), ('5m', '5m'), ('10m', '10m'), ('15m', '15m'), ('1h', '1h'), ('2h', '2h'), ('4h', '4h')], max_length=4)),
                        ('open_time', models.DateTimeField()),
                        ('close_time', models.DateTimeField()),
                        ('open_price', models.DecimalField(decimal_places=12, max_digits=30)),
                        ('high_price', models.DecimalField(decimal_places=12, max_digits=30)),
                        ('low_price', models.DecimalField(decimal_places=12, max_digits=30)),
                        ('close_price', models.DecimalField(decimal_places=12, max_digits=30)),
                        ('volume', models.DecimalField(decimal_places=12, max_digits=30)),
                        ('quote_volume', models.DecimalField(decimal_places=12, default=0, max_digits=30)),
                        ('trades_count', models.IntegerField(default=0)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'db_table': 'candles_heartbeat',
                        'indexes': [models.Index(fields=['symbol', 'timeframe', '-open_time'], name='candle_hb_recent')],
                        'constraints': [models.UniqueConstraint(fields=('symbol', 'timeframe', 'open_time'), name='uniq_candle_hb')],
                    },
                ),
                migrations.CreateModel(
                    name='HeartbeatSignal',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('symbol', models.CharField(max_length=30)),
                        ('timeframe', models.CharField(choices=[('1m', '1m'), ('3m', '3m'), ('5m', '5m'), ('10m', '10m'), ('15m', '15m'), ('1h', '1h'), ('2h', '2h'), ('4h', '4h')], max_length=4)),
                        ('open_time', models.DateTimeField()),
                        ('close_time', models.DateTimeField()),
                        ('sent_at', models.DateTimeField()),
                        ('backfilled', models.BooleanField(default=False, help_text='Bougie reconstruite après une interruption (rattrapage)')),
                    ],
                    options={
                        'db_table': 'heartbeat_signals',
                        'indexes': [models.Index(fields=['timeframe', '-sent_at'], name='hb_signal_recent')],
                        'constraints': [models.UniqueConstraint(fields=('symbol', 'timeframe', 'open_time'), name='uniq_heartbeat_signal')],
                    },
                ),
    ],
        ),
    ]
