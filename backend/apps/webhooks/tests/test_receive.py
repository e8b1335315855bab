"""Point d'entrée webhook : tout est journalisé avant de répondre, doublons, erreurs en français."""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings

from apps.webhooks.models import Webhook, WebhookConfig
from apps.webhooks.services import webhook_config_get_or_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def config(make_user):  # noqa: ANN001, ANN201
    return webhook_config_get_or_create(user=make_user("trader"))


def _post(config_or_token, body, content_type="application/json", **extra):  # noqa: ANN001, ANN202
    token = getattr(config_or_token, "token", config_or_token)
    data = body if isinstance(body, str) else json.dumps(body)
    return Client().post(f"/api/webhooks/receive/{token}/", data=data, content_type=content_type,
                         **extra)


def _alert(config, **kw):  # noqa: ANN001, ANN202
    return {"secret": config.secret, "symbol": "BTCUSDT", "action": "buy", "amount": 50,
            "id": "alerte-1", **kw}


def test_valid_json_alert_is_stored_pending_and_acknowledged(config) -> None:
    resp = _post(config, _alert(config))
    assert resp.status_code == 202
    assert resp.json()["status"] == "pending"
    hook = Webhook.objects.get(pk=resp.json()["id"])
    assert hook.user == config.user and hook.status == "pending" and not hook.processed
    assert hook.payload["symbol"] == "BTCUSDT" and "secret" not in hook.payload
    assert hook.source_ip == "127.0.0.1"
    assert hook.headers["content-type"] == "application/json"


def test_text_plain_json_body_is_accepted(config) -> None:
    resp = _post(config, json.dumps(_alert(config)), content_type="text/plain")
    assert resp.status_code == 202
    assert Webhook.objects.get(pk=resp.json()["id"]).content_type == "text/plain"


def test_duplicate_alert_places_one_order(config) -> None:
    first = _post(config, _alert(config))
    second = _post(config, _alert(config))
    assert (first.status_code, second.status_code) == (202, 200)
    assert second.json()["status"] == "duplicate"
    assert Webhook.objects.filter(status="pending").count() == 1
    assert Webhook.objects.filter(status="duplicate").count() == 1
    # sans id, un corps identique (même {{timenow}}) est aussi un doublon
    body = json.dumps(_alert(config, id="", amount=10))
    assert _post(config, body).status_code == 202
    assert _post(config, body).status_code == 200


def test_unknown_token_is_404_and_stores_nothing(config) -> None:
    resp = _post("jeton-inconnu", _alert(config))
    assert resp.status_code == 404
    assert resp.json()["detail"] == "Jeton de webhook inconnu."
    assert not Webhook.objects.exists()


def test_bad_secret_is_401_and_logged(config) -> None:
    resp = _post(config, _alert(config, secret="mauvais"))
    assert resp.status_code == 401
    assert "Secret du webhook invalide" in resp.json()["detail"]
    assert Webhook.objects.get().status == "rejected"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("{pas du json", "Corps JSON invalide"),
        ("", "Corps vide"),
        ("[1, 2]", "objet JSON"),
    ],
)
def test_malformed_bodies_are_400(config, body, fragment) -> None:
    resp = _post(config, body, content_type="text/plain")
    assert resp.status_code == 400
    assert fragment in resp.json()["detail"]
    assert Webhook.objects.get().http_status == 400


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"action": "hold"}, "action"),
        ({"amount": -5}, "amount"),
        ({"quantity": 1}, "non_field_errors"),
        ({"symbol": "???"}, "symbol"),
        ({"order_type": "limit"}, "price"),
        ({"sl": 2}, "sl"),
    ],
)
def test_invalid_payloads_are_400_with_field(config, changes, field) -> None:
    resp = _post(config, _alert(config, **changes))
    assert resp.status_code == 400
    assert field in resp.json()["errors"]
    assert resp.json()["detail"].startswith("Données invalides")


def test_symbol_forms_are_normalised(config) -> None:
    for i, symbol in enumerate(("BTCUSDT", "BINANCE:ETHUSDT", "sol/usdt", "ETHBTC")):
        resp = _post(config, _alert(config, symbol=symbol, id=f"s{i}"))
        assert resp.status_code == 202
    from apps.webhooks.payload import normalize_symbol

    assert normalize_symbol("BINANCE:ETHUSDT") == "ETH/USDT"
    assert normalize_symbol("ETHBTC") == "ETH/BTC"


def test_ip_allowlist_honours_only_trusted_proxy(config) -> None:
    config.ip_allowlist_enabled = True
    config.save()
    assert _post(config, _alert(config, id="a")).status_code == 403
    tv_ip = "52.89.214.238"
    # un X-Forwarded-For venant d'un client quelconque n'est pas cru
    assert _post(config, _alert(config, id="b"), HTTP_X_FORWARDED_FOR=tv_ip).status_code == 403
    with override_settings(ARISTOBOT_WEBHOOK_TRUSTED_PROXIES=["127.0.0.1"]):
        resp = _post(config, _alert(config, id="c"), HTTP_X_FORWARDED_FOR=tv_ip)
    assert resp.status_code == 202
    assert Webhook.objects.get(pk=resp.json()["id"]).source_ip == tv_ip


def test_config_endpoint_and_token_regeneration(logged_client) -> None:
    client = logged_client()
    unset = client.get("/api/webhooks/config/").json()
    assert (unset["configured"], unset["token"], unset["secret"]) == (False, None, None)
    assert not WebhookConfig.objects.filter(user=client.user).exists()  # une lecture n'écrit rien
    created = client.post("/api/webhooks/config/", {}, format="json").json()
    first = client.get("/api/webhooks/config/").json()
    assert first == created and first["configured"] is True
    assert first["url"].endswith(f"/api/webhooks/receive/{first['token']}/")
    assert "{{ticker}}" in first["example_message"]
    second = client.post("/api/webhooks/config/", {"regenerate_token": True}, format="json").json()
    assert second["token"] != first["token"] and second["secret"] == first["secret"]
    assert _post(first["token"], {"secret": first["secret"]}).status_code == 404
