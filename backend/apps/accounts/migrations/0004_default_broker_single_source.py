"""Le broker par défaut n'est plus stocké deux fois : seul `Broker.is_default` reste.

Avant de retirer `User.default_broker`, son choix est recopié sur les brokers (c'est lui qui
l'emporte si les deux divergeaient) ; au retour arrière, la colonne est reconstruite depuis
`Broker.is_default`.
"""

from django.db import migrations, models


def copy_to_brokers(apps, schema_editor):  # noqa: ANN001, ANN201
    User = apps.get_model("accounts", "User")
    Broker = apps.get_model("brokers", "Broker")
    for user_id, broker_id in User.objects.exclude(default_broker=None).values_list(
        "pk", "default_broker_id"
    ):
        Broker.objects.filter(user_id=user_id).exclude(pk=broker_id).update(is_default=False)
        Broker.objects.filter(user_id=user_id, pk=broker_id).update(is_default=True)


def copy_to_users(apps, schema_editor):  # noqa: ANN001, ANN201
    User = apps.get_model("accounts", "User")
    Broker = apps.get_model("brokers", "Broker")
    for user_id, broker_id in Broker.objects.filter(is_default=True).values_list("user_id", "pk"):
        User.objects.filter(pk=user_id).update(default_broker_id=broker_id)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_users_cap_trigger"),
        ("brokers", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy_to_brokers, copy_to_users),
        migrations.RemoveField(model_name="user", name="default_broker"),
    ]
