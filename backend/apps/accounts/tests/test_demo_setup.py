from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from apps.brokers.models import Broker
from apps.strategies.models import Strategy

pytestmark = pytest.mark.django_db


def test_demo_setup_is_idempotent(make_user) -> None:
    dev = make_user("dev")
    call_command("demo_setup")
    call_command("demo_setup")
    broker = Broker.objects.get(user=dev)
    assert broker.api_key == "demo-api-key" and broker.is_default
    assert Strategy.objects.filter(user=dev).count() == 1


def test_demo_setup_needs_the_dev_user() -> None:
    with pytest.raises(CommandError, match="init_aristobot"):
        call_command("demo_setup")
