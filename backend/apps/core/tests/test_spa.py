"""Daphne sert la SPA construite avec repli sur index.html (historique HTML5)."""

from __future__ import annotations

import asyncio

import pytest
from django.test import Client, override_settings


@pytest.fixture
def dist(tmp_path):  # noqa: ANN001, ANN201
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<html><body>SPA Aristobot</body></html>")
    (tmp_path / "assets" / "app-123.js").write_text("console.log('ok')")
    with override_settings(FRONTEND_DIST_DIR=tmp_path):
        yield tmp_path


def test_history_fallback_serves_index(dist) -> None:
    for path in ("/", "/heartbeat", "/trading-bot/12"):
        resp = Client().get(path)
        assert resp.status_code == 200, path
        assert b"SPA Aristobot" in resp.content


def test_assets_are_served_with_long_cache(dist) -> None:
    resp = Client().get("/assets/app-123.js")
    assert resp.status_code == 200
    assert b"console.log" in b"".join(resp.streaming_content)
    assert "immutable" in resp["Cache-Control"]
    assert Client().get("/assets/absent.js").status_code == 404


def test_path_traversal_is_not_served(dist) -> None:
    resp = Client().get("/..%2F..%2Fetc%2Fpasswd")
    assert b"root:" not in resp.content


@pytest.mark.django_db
def test_api_is_not_swallowed_by_the_spa(dist) -> None:
    resp = Client().get("/api/schema/")
    assert resp.status_code == 200
    assert b"openapi" in resp.content


@pytest.mark.django_db
def test_api_docs_use_local_swagger_assets(dist) -> None:
    page = Client().get("/api/docs/").content.decode()
    assert "cdn.jsdelivr" not in page and "/static/drf_spectacular_sidecar/" in page


async def test_daphne_app_serves_django_static_files() -> None:
    """L'application ASGI (celle de Daphne) sert les statiques de Django (admin, Swagger UI)."""
    from aristobot.asgi import application

    scope = {"type": "http", "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": "/static/admin/css/base.css", "raw_path": b"/static/admin/css/base.css",
             "query_string": b"", "headers": [(b"host", b"127.0.0.1")], "root_path": "",
             "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 5000)}
    sent: list[dict] = []
    inbox = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict:
        if inbox:
            return inbox.pop(0)
        await asyncio.sleep(60)  # le client reste connecté pendant la réponse
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    await application(scope, receive, send)
    assert sent[0]["status"] == 200
    body = b"".join(m.get("body", b"") for m in sent[1:])
    assert b"body" in body
