"""Le secret des webhooks est chiffré au repos, comme les clés d'API (Fernet, clé de SECRET_KEY)."""

from django.db import migrations

import apps.core.fields


def encrypt_existing(apps, schema_editor):  # noqa: ANN001, ANN201
    """Chiffre les secrets encore en clair (lecture et écriture brutes, sans le champ chiffré)."""
    from apps.core.crypto import encrypt_str

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, secret FROM webhook_configs WHERE secret <> ''")
        for pk, secret in cursor.fetchall():
            if not secret.startswith("gAAAAA"):  # jeton Fernet déjà chiffré
                cursor.execute("UPDATE webhook_configs SET secret = %s WHERE id = %s",
                               [encrypt_str(secret), pk])


class Migration(migrations.Migration):

    dependencies = [
        ("webhooks", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="webhookconfig",
            name="secret",
            field=apps.core.fields.EncryptedTextField(blank=True, default=""),
        ),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop),
    ]
