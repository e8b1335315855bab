"""Sérialisation JSON compacte (séparateurs sans espace, comme Binance)."""

from __future__ import annotations

import json

from aiohttp import web


def dumps(data: object) -> str:
    return json.dumps(data, separators=(",", ":"))


def json_response(data: object, status: int = 200) -> web.Response:
    return web.Response(text=dumps(data), status=status, content_type="application/json")
