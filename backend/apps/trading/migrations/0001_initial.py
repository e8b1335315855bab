"""`Trade` repris de l'app `core` (table `trades` inchangée) ; son origine devient de simples
identifiants (broker, stratégie, stratégie active, webhook), sans clé étrangère."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


DROP_FEATURE_FKS = """
DO $$
DECLARE constraint_name text;
BEGIN
    FOR constraint_name IN
        SELECT c.conname FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
        WHERE c.conrelid = 'trades'::regclass AND c.contype = 'f'
          AND a.attname IN ('broker_id', 'strategy_id', 'active_strategy_id', 'webhook_id')
    LOOP
        EXECUTE format('ALTER TABLE trades DROP CONSTRAINT %I', constraint_name);
    END LOOP;
END $$;
"""


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("core", "0003_heartbeat_models_to_heartbeat_app"),  # table `trades` créée par core.0001
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # La table existe déjà : seules les clés étrangères vers les fonctionnalités
            # (broker, stratégie, stratégie active, webhook) disparaissent ; colonnes, données et
            # index restent (un index de clé étrangère et celui d'un champ `db_index` ont le même nom).
            database_operations=[migrations.RunSQL(DROP_FEATURE_FKS, migrations.RunSQL.noop)],
            state_operations=[
                migrations.CreateModel(
                    name='Trade',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('broker_id', models.BigIntegerField(blank=True, db_index=True, null=True)),
                        ('exchange', models.CharField(max_length=50)),
                        ('is_testnet', models.BooleanField(default=False)),
                        ('source', models.CharField(choices=[('manual', 'Manuel'), ('strategy', 'Stratégie'), ('webhook', 'Webhook')], max_length=10)),
                        ('role', models.CharField(choices=[('entry', 'Entrée'), ('exit', 'Sortie'), ('stop_loss', 'Stop loss'), ('take_profit', 'Take profit'), ('manual', 'Manuel')], default='manual', max_length=12)),
                        ('strategy_id', models.BigIntegerField(blank=True, db_index=True, help_text="Stratégie à l'origine (source strategy)", null=True)),
                        ('active_strategy_id', models.BigIntegerField(blank=True, db_index=True, help_text='Stratégie active (source strategy)', null=True)),
                        ('webhook_id', models.BigIntegerField(blank=True, db_index=True, help_text="Webhook à l'origine (source webhook)", null=True)),
                        ('symbol', models.CharField(max_length=40)),
                        ('side', models.CharField(choices=[('buy', 'Achat'), ('sell', 'Vente')], max_length=4)),
                        ('order_type', models.CharField(choices=[('market', 'Marché'), ('limit', 'Limite'), ('stop_loss_limit', 'Stop loss limite'), ('take_profit_limit', 'Take profit limite'), ('oco', 'OCO')], default='market', max_length=20)),
                        ('requested_quantity', models.DecimalField(blank=True, decimal_places=12, max_digits=30, null=True)),
                        ('requested_quote_amount', models.DecimalField(blank=True, decimal_places=12, max_digits=30, null=True)),
                        ('requested_price', models.DecimalField(blank=True, decimal_places=12, max_digits=30, null=True)),
                        ('quantity', models.DecimalField(decimal_places=12, default=0, help_text='Quantité exécutée (base)', max_digits=30)),
                        ('price', models.DecimalField(blank=True, decimal_places=12, help_text="Prix moyen d'exécution", max_digits=30, null=True)),
                        ('cost', models.DecimalField(decimal_places=12, default=0, help_text='Montant exécuté (cotation)', max_digits=30)),
                        ('fee', models.DecimalField(decimal_places=12, default=0, max_digits=30)),
                        ('fee_asset', models.CharField(blank=True, default='', max_length=20)),
                        ('fee_quote', models.DecimalField(decimal_places=12, default=0, help_text='Frais valorisés en cotation', max_digits=30)),
                        ('status', models.CharField(choices=[('pending', "En cours d'envoi"), ('open', 'Ouvert'), ('partially_filled', 'Partiellement exécuté'), ('filled', 'Exécuté'), ('canceled', 'Annulé'), ('error', 'Erreur'), ('unknown', 'Inconnu (à vérifier)')], default='pending', max_length=20)),
                        ('client_order_id', models.CharField(max_length=64, unique=True)),
                        ('exchange_order_id', models.CharField(blank=True, default='', max_length=64)),
                        ('error_message', models.TextField(blank=True, default='')),
                        ('profit_loss', models.DecimalField(blank=True, decimal_places=12, max_digits=30, null=True)),
                        ('profit_loss_pct', models.DecimalField(blank=True, decimal_places=6, max_digits=12, null=True)),
                        ('raw_response', models.JSONField(blank=True, default=dict)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('executed_at', models.DateTimeField(blank=True, null=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='trades', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'trades',
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(fields=['user', '-created_at'], name='trade_user_recent'), models.Index(fields=['active_strategy_id', '-created_at'], name='trade_active_recent'), models.Index(fields=['user', 'source'], name='trade_user_source'), models.Index(fields=['broker_id', '-created_at'], name='trade_broker_recent')],
                    },
                ),
    ],
        ),
    ]
