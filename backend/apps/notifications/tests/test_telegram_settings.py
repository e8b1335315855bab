"""Mon Compte › Telegram : `PATCH /api/auth/me/` (validation, secret) et « Tester »
(`POST /api/telegram/test/`)."""

from __future__ import annotations

import logging

import pytest
from django.db import connection

from apps.notifications.tests.fake_telegram_server import (
    BOT_USERNAME,
    VALID_CHAT,
    VALID_TOKEN,
    too_many,
)
from apps.strategies.tests.fake_ai_server import closed_port_url

pytestmark = pytest.mark.django_db

ME = "/api/auth/me/"
TEST = "/api/telegram/test/"


def _enable(client, **extra):  # noqa: ANN001, ANN003, ANN202
    body = {"telegram_bot_token": VALID_TOKEN, "telegram_chat_id": VALID_CHAT, "telegram_enabled": True,
            **extra}
    return client.patch(ME, body, format="json")


def test_settings_are_saved_token_masked_and_encrypted_at_rest(logged_client, caplog) -> None:  # noqa: ANN001
    caplog.set_level(logging.DEBUG)
    client = logged_client()
    resp = _enable(client, telegram_summary_time="21:30", telegram_timezone="Europe/Paris")
    assert resp.status_code == 200, resp.content
    user = resp.json()["user"]
    assert user["telegram_bot_token_hint"] == "****saw0"
    assert (user["telegram_chat_id"], user["telegram_enabled"]) == (VALID_CHAT, True)
    assert (user["telegram_summary_time"], user["telegram_timezone"]) == ("21:30", "Europe/Paris")
    assert "telegram_bot_token" not in user
    secret = VALID_TOKEN.split(":")[1]
    assert secret not in resp.content.decode() and secret not in client.get(ME).content.decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT telegram_bot_token FROM users WHERE id = %s", [client.user.pk])
        (raw,) = cursor.fetchone()
    assert raw and secret not in raw and raw.startswith("gAAAA")  # Fernet
    client.user.refresh_from_db()
    assert client.user.telegram_bot_token == VALID_TOKEN
    assert all(secret not in record.getMessage() for record in caplog.records)


def test_token_is_kept_when_omitted_and_switch_toggles_alone(logged_client) -> None:  # noqa: ANN001
    client = logged_client()
    _enable(client)
    resp = client.patch(ME, {"telegram_enabled": False}, format="json")
    assert resp.status_code == 200 and resp.json()["user"]["telegram_enabled"] is False
    client.user.refresh_from_db()
    assert client.user.telegram_bot_token == VALID_TOKEN


@pytest.mark.parametrize(("body", "field", "fragment"), [
    ({"telegram_bot_token": "12345"}, "telegram_bot_token", "Jeton de bot invalide"),
    ({"telegram_bot_token": VALID_TOKEN[:12] + "\n" + VALID_TOKEN[12:]}, "telegram_bot_token", "Jeton"),
    ({"telegram_bot_token": "abc:" + "x" * 35}, "telegram_bot_token", "Jeton de bot invalide"),
    ({"telegram_bot_token": "123:" + "é" * 35}, "telegram_bot_token", "Jeton de bot invalide"),
    ({"telegram_bot_token": "1" * 200}, "telegram_bot_token", ""),
    ({"telegram_bot_token": ["x"]}, "telegram_bot_token", ""),
    ({"telegram_chat_id": "12ab"}, "telegram_chat_id", "Chat id invalide"),
    ({"telegram_chat_id": "@a b"}, "telegram_chat_id", "Chat id invalide"),
    ({"telegram_chat_id": "1\u0000"}, "telegram_chat_id", ""),
    ({"telegram_chat_id": "<script>"}, "telegram_chat_id", "Chat id invalide"),
    ({"telegram_enabled": "peut-être"}, "telegram_enabled", ""),
    ({"telegram_summary_time": "25:00"}, "telegram_summary_time", "Heure du résumé invalide"),
    ({"telegram_timezone": "../../etc/passwd"}, "telegram_timezone", "Fuseau horaire inconnu"),
    ({"telegram_timezone": "Mars/Olympus"}, "telegram_timezone", "Fuseau horaire inconnu"),
])
def test_hostile_inputs_are_refused_in_french(logged_client, body, field, fragment) -> None:  # noqa: ANN001
    client = logged_client()
    resp = client.patch(ME, body, format="json")
    assert resp.status_code == 400, resp.content
    data = resp.json()
    assert data["detail"]  # message français (un caractère nul est refusé dès la lecture du JSON)
    if fragment:
        assert fragment in " ".join(data["errors"][field]), data
    client.user.refresh_from_db()
    assert client.user.telegram_bot_token == "" and client.user.telegram_enabled is False


def test_enabling_without_token_or_chat_is_refused(logged_client) -> None:  # noqa: ANN001
    client = logged_client()
    resp = client.patch(ME, {"telegram_enabled": True, "telegram_chat_id": VALID_CHAT}, format="json")
    assert resp.status_code == 400
    assert "jeton du bot" in resp.json()["detail"]
    client.user.refresh_from_db()
    assert client.user.telegram_chat_id == "" and not client.user.telegram_enabled  # rien d'enregistré
    assert client.patch(ME, {"telegram_chat_id": "@aristobot_canal"}, format="json").status_code == 200


def test_telegram_test_sends_a_message_with_the_saved_settings(logged_client, fake_telegram) -> None:  # noqa: ANN001
    client = logged_client()
    _enable(client)
    resp = client.post(TEST, {}, format="json")
    assert resp.status_code == 200
    assert resp.json() == {"ok": True, "detail": f"Message de test envoyé par @{BOT_USERNAME} au chat "
                                                 f"{VALID_CHAT} : vérifiez Telegram."}
    (message,) = fake_telegram.messages
    assert message.chat_id == int(VALID_CHAT) and "message de test" in message.text


def test_telegram_test_uses_typed_values_and_translates_errors(logged_client, fake_telegram, caplog) -> None:  # noqa: ANN001
    caplog.set_level(logging.DEBUG)
    client = logged_client()
    bad_token = "123456:" + "B" * 35
    resp = client.post(TEST, {"telegram_bot_token": bad_token, "telegram_chat_id": VALID_CHAT}, format="json")
    assert resp.json() == {"ok": False, "detail": "Jeton du bot refusé par Telegram (« Unauthorized ») : "
                                                  "vérifiez le jeton donné par @BotFather."}
    resp = client.post(TEST, {"telegram_bot_token": VALID_TOKEN, "telegram_chat_id": "42"}, format="json")
    assert resp.json()["ok"] is False
    assert resp.json()["detail"].startswith("Chat introuvable (« Bad Request: chat not found »)")
    fake_telegram.queue(too_many(7))
    body = {"telegram_bot_token": VALID_TOKEN, "telegram_chat_id": VALID_CHAT}
    resp = client.post(TEST, body, format="json")
    assert resp.json()["detail"] == ("Telegram limite le débit (« Too Many Requests: retry after 7 ») : "
                                     "nouvel essai dans 7 s.")
    text = caplog.text + resp.content.decode()
    assert "B" * 35 not in text and VALID_TOKEN.split(":")[1] not in text
    assert fake_telegram.messages == []


def test_telegram_test_without_settings_or_unreachable_is_a_clean_french_result(
    logged_client, settings  # noqa: ANN001
) -> None:
    client = logged_client()
    assert client.post(TEST, {}, format="json").json() == {
        "ok": False, "detail": "Renseignez le jeton du bot (donné par @BotFather)."}
    settings.ARISTOBOT_TELEGRAM_API_URL = closed_port_url()
    resp = client.post(TEST, {"telegram_bot_token": VALID_TOKEN, "telegram_chat_id": VALID_CHAT},
                       format="json")
    assert resp.status_code == 200
    detail = resp.json()["detail"]
    assert resp.json()["ok"] is False and detail.startswith("Telegram injoignable à http://127.0.0.1:")
    assert VALID_TOKEN.split(":")[1] not in detail


def test_telegram_test_validates_input_and_is_rate_limited(logged_client, fake_telegram) -> None:  # noqa: ANN001
    client = logged_client()
    resp = client.post(TEST, {"telegram_bot_token": "pas-un-jeton"}, format="json")
    assert resp.status_code == 400
    assert "Jeton de bot invalide" in resp.json()["errors"]["telegram_bot_token"][0]
    body = {"telegram_bot_token": VALID_TOKEN, "telegram_chat_id": VALID_CHAT}
    codes = [client.post(TEST, body, format="json").status_code for _ in range(7)]
    assert codes == [200] * 6 + [429]
    assert len(fake_telegram.messages) == 6


def test_telegram_test_requires_login(api_client) -> None:  # noqa: ANN001
    api_client.get(ME)
    resp = api_client.post(TEST, {}, format="json", HTTP_X_CSRFTOKEN=api_client.cookies["csrftoken"].value)
    assert resp.status_code == 403
