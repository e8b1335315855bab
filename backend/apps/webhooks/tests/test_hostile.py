"""Le point d'entrée public face à un client hostile : jamais de 5xx, aucun secret enregistré,
rien pour un jeton inconnu, débits limités, corps bruts bornés et effacés après conservation."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from apps.webhooks.models import Webhook
from apps.webhooks.services import metrics, webhook_config_get_or_create, webhooks_prune

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def config(make_user):  # noqa: ANN001, ANN201
    return webhook_config_get_or_create(user=make_user("trader"))


def _post(token: str, data: bytes | str, content_type: str = "application/json", **extra):  # noqa: ANN003, ANN202
    return Client().post(f"/api/webhooks/receive/{token}/", data=data, content_type=content_type, **extra)


def _alert(secret: str, **kw) -> dict:  # noqa: ANN003
    return {"secret": secret, "symbol": "BTCUSDT", "action": "buy", "amount": 50, **kw}


HOSTILE_BODIES = [
    ("imbrication de 30 000 crochets", b"[" * 30000),
    ("objets imbriqués", b'{"a":' * 9000 + b"1" + b"}" * 9000),
    ("octets nuls", b'{"symbol": "BTC\x00USDT"}'),
    ("\\u0000 échappé", b'{"symbol": "BTC\\u0000USDT"}'),
    ("demi-paire de substitution", b'{"symbol": "\\ud800"}'),
    ("clé en demi-paire", b'{"\\udfff": 1}'),
    ("NaN", b'{"amount": NaN}'),
    ("Infinity", b'{"amount": Infinity}'),
    ("-Infinity", b'{"amount": -Infinity}'),
    ("entier de 5 000 chiffres", b'{"amount": ' + b"9" * 5000 + b"}"),
    ("réel de 5 000 chiffres", b'{"amount": 1.' + b"5" * 5000 + b"}"),
    ("UTF-8 invalide", b'{"symbol": "\xff\xfe"}'),
    ("tableau", b"[1, 2]"),
    ("vide", b""),
    ("neuf niveaux", b'{"a":' * 9 + b"1" + b"}" * 9),
]


@pytest.mark.parametrize(("label", "body"), HOSTILE_BODIES, ids=[label for label, _ in HOSTILE_BODIES])
def test_hostile_bodies_get_a_french_400_never_a_5xx(config, label: str, body: bytes) -> None:  # noqa: ANN001
    response = _post(config.token, body)
    assert response.status_code == 400, (label, response.status_code, response.content[:200])
    detail = response.json()["detail"]
    assert detail.startswith(("Corps", "Le message")), detail
    row = Webhook.objects.get()
    assert row.status == "rejected" and row.payload is None
    assert "\x00" not in row.raw_body


def test_hostile_bodies_through_text_plain_too(config) -> None:  # noqa: ANN001
    for _label, body in HOSTILE_BODIES:
        assert _post(config.token, body, content_type="text/plain").status_code == 400


SECRET_ATTEMPTS = [
    ("bon secret", lambda s: json.dumps(_alert(s))),
    ("mauvais secret long", lambda s: json.dumps(_alert("mauvais-secret-de-test"))),
    ("mauvais secret court", lambda s: json.dumps(_alert("abc"))),
    ("secret numérique", lambda s: '{"secret": 123456789, "symbol": "BTCUSDT"}'),
    ("secret recopié ailleurs", lambda s: json.dumps(_alert(s, id=f"x-{s}-y"))),
    ("clé échappée", lambda s: '{"se\\u0063ret": "' + s + '", "symbol": "BTCUSDT", "action": "buy", '
                               '"amount": 5}'),
    ("valeur échappée", lambda s: '{"secret": "' + "".join(f"\\u{ord(c):04x}" for c in s)
                                  + '", "symbol": "BTCUSDT"}'),
    ("clé en majuscules", lambda s: json.dumps({"SECRET": s, "symbol": "BTCUSDT"})),
    ("JSON cassé", lambda s: '{"secret": "' + s + '", "symbol": '),
    ("action invalide", lambda s: json.dumps(_alert(s, action="vendre-tout"))),
]


@pytest.mark.parametrize(("label", "build"), SECRET_ATTEMPTS, ids=[label for label, _ in SECRET_ATTEMPTS])
def test_the_secret_is_never_stored_nor_returned(config, logged_client, caplog, label, build) -> None:  # noqa: ANN001
    caplog.set_level(logging.DEBUG)
    response = _post(config.token, build(config.secret))
    assert response.status_code < 500
    assert config.secret not in response.content.decode()
    secrets = {config.secret, "mauvais-secret-de-test", "123456789"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT raw_body, payload::text, error_message, headers::text FROM webhooks")
        stored = " ".join(str(col) for row in cursor.fetchall() for col in row)
    for secret in secrets:
        assert secret not in stored, (label, stored)
    page = logged_client(config.user).get("/api/webhooks/").content.decode()
    for secret in secrets:
        assert secret not in page
    assert config.secret not in caplog.text and config.token not in caplog.text


def test_the_webhook_secret_is_encrypted_at_rest_and_shown_to_its_owner_only(config, logged_client,  # noqa: ANN001
                                                                             make_user) -> None:  # noqa: ANN001
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhook_configs WHERE id = %s", [config.pk])
        (raw,) = cursor.fetchone()
    assert raw.startswith("gAAAAA") and config.secret not in raw
    owner = logged_client(config.user).get("/api/webhooks/config/").json()
    assert owner["secret"] == config.secret
    other = logged_client(make_user("autre"))
    for path in ("/api/webhooks/config/", "/api/webhooks/", "/api/auth/me/", "/api/status/"):
        assert config.secret not in other.get(path).content.decode()


def test_an_unknown_token_stores_nothing_is_counted_and_logged_once_a_minute(caplog) -> None:  # noqa: ANN001
    caplog.set_level(logging.INFO)
    before = metrics.unknown_token
    metrics._last_log = 0.0
    for index in range(5):
        assert _post(f"jeton-{index}", json.dumps(_alert("x"))).status_code == 404
    assert not Webhook.objects.exists()
    assert metrics.unknown_token == before + 5
    lines = [r for r in caplog.records if "jeton inconnu" in r.getMessage()]
    assert len(lines) == 1
    assert not [r for r in caplog.records if "jeton-" in r.getMessage()]  # l'URL n'est pas journalisée


def test_metrics_are_for_administrators(logged_client, make_user) -> None:  # noqa: ANN001
    assert logged_client(make_user("lambda")).get("/api/webhooks/metrics/").status_code == 403
    body = logged_client(make_user("chef", is_staff=True)).get("/api/webhooks/metrics/").json()
    assert set(body) == {"unknown_token", "rate_limited", "since"}


def test_per_token_rate_limit_answers_429_and_stores_nothing_more(config, settings) -> None:  # noqa: ANN001
    settings.ARISTOBOT_WEBHOOK_RATE_PER_TOKEN = 3
    codes = [_post(config.token, json.dumps(_alert(config.secret, id=f"a{i}"))).status_code
             for i in range(5)]
    assert codes == [202, 202, 202, 429, 429]
    limited = _post(config.token, json.dumps(_alert(config.secret, id="z")))
    assert limited.json()["detail"].startswith("Trop d'alertes reçues : réessayez dans")
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert Webhook.objects.count() == 3


def test_per_ip_rate_limit_covers_unknown_tokens_too(settings) -> None:  # noqa: ANN001
    settings.ARISTOBOT_WEBHOOK_RATE_PER_IP = 4
    codes = [_post(f"balayage-{i}", "{}").status_code for i in range(6)]
    assert codes == [404, 404, 404, 404, 429, 429]


def test_oversized_bodies_are_refused_and_stored_bodies_bounded(config) -> None:  # noqa: ANN001
    assert _post(config.token, b"x" * (64 * 1024 + 1)).status_code == 413
    long_text = json.dumps(_alert(config.secret, note="é" * 30000))
    _post(config.token, long_text)
    assert all(len(row.raw_body) <= 20000 for row in Webhook.objects.all())


def test_raw_bodies_are_pruned_after_the_retention_period(config, settings) -> None:  # noqa: ANN001
    settings.ARISTOBOT_WEBHOOK_RETENTION_DAYS = 30
    for index in range(3):
        _post(config.token, json.dumps(_alert(config.secret, id=f"p{index}")))
    old, middle, fresh = Webhook.objects.order_by("pk")
    Webhook.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=31))
    Webhook.objects.filter(pk=middle.pk).update(received_at=timezone.now() - timedelta(days=29))
    assert webhooks_prune() == 1
    old.refresh_from_db()
    assert old.raw_body == "" and old.headers == {} and old.status == "pending"
    assert Webhook.objects.get(pk=middle.pk).raw_body and Webhook.objects.get(pk=fresh.pk).raw_body
    Webhook.objects.filter(pk=middle.pk).update(received_at=timezone.now() - timedelta(days=40))
    call_command("prune_webhooks")
    assert Webhook.objects.get(pk=middle.pk).raw_body == ""


@pytest.mark.parametrize("method", ["get", "put", "delete", "patch"])
def test_other_methods_get_a_french_json_405_and_store_nothing(config, method: str) -> None:  # noqa: ANN001
    """Ouvrir l'URL dans un navigateur (GET) : 405 en JSON français, comme le promet le README."""
    resp = getattr(Client(), method)(f"/api/webhooks/receive/{config.token}/")
    assert resp.status_code == 405
    assert resp["Allow"] == "POST" and resp["Content-Type"].startswith("application/json")
    assert "POST" in resp.json()["detail"] and "non autorisée" in resp.json()["detail"]
    assert not Webhook.objects.exists()


def test_alerts_leave_no_database_connection_behind(config) -> None:  # noqa: ANN001
    """Chaque alerte est enregistrée dans un thread du pool : sa connexion est fermée après la
    requête (sinon chaque thread garde une session PostgreSQL, morte après un redémarrage)."""

    def sessions() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
            return cursor.fetchone()[0]

    before = sessions()
    for n in range(8):
        assert _post(config.token, json.dumps(_alert(config.secret, id=f"c{n}"))).status_code == 202
    assert sessions() <= before
