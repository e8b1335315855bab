"""Brokers : clés chiffrées au repos, jamais renvoyées, isolation par utilisateur, défaut unique."""

from __future__ import annotations

import pytest
from django.db import connection

from apps.brokers.models import Broker

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "name": "Mon Binance",
    "exchange": "binance",
    "api_key": "AKEY-plaintext-1234abcd",
    "api_secret": "SECRET-plaintext-9876wxyz",
    "is_testnet": False,
}


def test_keys_are_encrypted_at_rest_and_never_returned(logged_client) -> None:
    client = logged_client()
    resp = client.post("/api/brokers/", PAYLOAD, format="json")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert "api_key" not in body and "api_secret" not in body
    assert body["api_key_hint"] == "****abcd"
    assert body["api_secret_hint"] == "****wxyz"
    assert "plaintext" not in resp.content.decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT api_key, api_secret, password FROM brokers WHERE id = %s",
                       [body["id"]])
        raw = " ".join(cursor.fetchone())
    assert "plaintext" not in raw and "1234abcd" not in raw
    broker = Broker.objects.get(pk=body["id"])
    assert broker.api_key == PAYLOAD["api_key"]  # déchiffrée en mémoire
    listed = client.get("/api/brokers/").content.decode()
    assert "plaintext" not in listed


def test_first_broker_becomes_default_and_default_is_unique(logged_client) -> None:
    client = logged_client()
    first = client.post("/api/brokers/", PAYLOAD, format="json").json()
    assert first["is_default"] is True
    second = client.post("/api/brokers/", {**PAYLOAD, "name": "Second", "is_default": True},
                         format="json").json()
    assert second["is_default"] is True
    rows = {b["name"]: b["is_default"] for b in client.get("/api/brokers/").json()}
    assert rows == {"Mon Binance": False, "Second": True}
    resp = client.patch(f"/api/brokers/{first['id']}/", {"is_default": True}, format="json")
    assert resp.status_code == 200 and resp.json()["is_default"] is True
    rows = {b["name"]: b["is_default"] for b in client.get("/api/brokers/").json()}
    assert rows == {"Mon Binance": True, "Second": False}
    resp = client.patch(f"/api/brokers/{first['id']}/", {"is_default": False}, format="json")
    assert resp.status_code == 200
    assert not any(b["is_default"] for b in client.get("/api/brokers/").json())


def test_default_broker_is_chosen_on_the_broker_not_in_the_profile(logged_client) -> None:
    """Une seule source : `is_default` du broker ; le profil refuse l'ancien champ en français."""
    client = logged_client()
    broker = client.post("/api/brokers/", PAYLOAD, format="json").json()
    resp = client.patch("/api/auth/me/", {"default_broker": broker["id"]}, format="json")
    assert resp.status_code == 400
    assert "PATCH /api/brokers/<id>/" in resp.json()["errors"]["default_broker"][0]
    assert "default_broker" not in client.get("/api/auth/me/").json()["user"]


def test_update_with_blank_key_keeps_stored_key(logged_client) -> None:
    client = logged_client()
    broker = client.post("/api/brokers/", PAYLOAD, format="json").json()
    resp = client.patch(f"/api/brokers/{broker['id']}/", {"api_key": "", "name": "Renommé"},
                        format="json")
    assert resp.status_code == 200
    assert Broker.objects.get(pk=broker["id"]).api_key == PAYLOAD["api_key"]


def test_unknown_exchange_is_refused_in_french(logged_client) -> None:
    client = logged_client()
    resp = client.post("/api/brokers/", {**PAYLOAD, "exchange": "pasunexchange"}, format="json")
    assert resp.status_code == 400
    assert "Exchange inconnu de CCXT" in resp.json()["errors"]["exchange"][0]


def test_users_only_see_their_own_brokers(logged_client, make_user) -> None:
    alice = logged_client(make_user("alice"))
    bob = logged_client(make_user("bob"))
    bob_broker = bob.post("/api/brokers/", PAYLOAD, format="json").json()
    assert alice.get("/api/brokers/").json() == []
    for method in ("get", "patch", "delete"):
        resp = getattr(alice, method)(f"/api/brokers/{bob_broker['id']}/", {}, format="json")
        assert resp.status_code == 404, method
        assert resp.json()["detail"] == "Ressource introuvable."
    assert Broker.objects.filter(pk=bob_broker["id"]).exists()
