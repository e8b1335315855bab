"""Simulateur Binance : flux WebSocket (format exact, bougie close, méthodes, coupures)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from exchange_simulator import ExchangeSimulator
from exchange_simulator.testing import running_simulator


def _connect(url: str) -> Any:
    """Client ``websockets`` sans contre-pression : sinon, avec des messages non lus, la poignée de
    main de fermeture attend ``close_timeout`` (10 s) car le client cesse de lire le réseau."""
    return connect(url, max_queue=None, close_timeout=2)


KLINE_KEYS = {"t", "T", "s", "i", "f", "L", "o", "c", "h", "l", "v", "n", "x", "q", "V", "Q", "B"}


@pytest_asyncio.fixture
async def fast_sim() -> AsyncIterator[ExchangeSimulator]:
    async with running_simulator(seed=9, speed=60.0, symbols=["BTCUSDT", "ETHUSDT"]) as simulator:
        yield simulator


async def _recv(ws: Any, timeout: float = 5.0) -> Any:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def test_combined_stream_sends_exact_klines_and_one_closed_candle(fast_sim: ExchangeSimulator) -> None:
    url = f"{fast_sim.ws_url}/stream?streams=btcusdt@kline_1m/ethusdt@trade"
    closed: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    trades: list[dict[str, Any]] = []
    async with _connect(url) as ws:
        deadline = time.monotonic() + 4.0
        while not closed and time.monotonic() < deadline:
            message = await _recv(ws)
            assert set(message) == {"stream", "data"}
            if message["stream"] == "ethusdt@trade":
                trades.append(message["data"])
                continue
            assert message["stream"] == "btcusdt@kline_1m"
            data = message["data"]
            assert data["e"] == "kline" and data["s"] == "BTCUSDT" and isinstance(data["E"], int)
            kline = data["k"]
            assert set(kline) == KLINE_KEYS and kline["i"] == "1m" and kline["B"] == "0"
            assert kline["T"] == kline["t"] + 60_000 - 1 and kline["t"] % 60_000 == 0
            assert all(isinstance(kline[k], str) for k in ("o", "c", "h", "l", "v", "q", "V", "Q"))
            assert float(kline["l"]) <= min(float(kline["o"]), float(kline["c"])) <= float(kline["h"])
            (closed if kline["x"] else updates).append(kline)
    assert closed and updates and trades
    assert trades[0]["e"] == "trade" and trades[0]["s"] == "ETHUSDT" and isinstance(trades[0]["p"], str)
    final = closed[0]
    assert final["n"] == 60 and final["L"] - final["f"] == 59
    # La bougie close diffusée est identique à celle que sert ensuite le REST.
    async with aiohttp.ClientSession() as session:
        query = f"symbol=BTCUSDT&interval=1m&startTime={final['t']}&limit=1"
        async with session.get(f"{fast_sim.base_url}/api/v3/klines?{query}") as resp:
            row = (await resp.json())[0]
    assert row[:7] == [final["t"], final["o"], final["h"], final["l"], final["c"], final["v"], final["T"]]


async def test_raw_stream_and_subscribe_methods(fast_sim: ExchangeSimulator) -> None:
    async with _connect(f"{fast_sim.ws_url}/ws") as ws:
        await ws.send(json.dumps({"method": "SUBSCRIBE", "params": ["btcusdt@kline_1m"], "id": 1}))
        assert await _recv(ws) == {"result": None, "id": 1}
        payload = await _recv(ws)
        assert payload["e"] == "kline" and "stream" not in payload  # flux brut : pas d'enveloppe
        await ws.send(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": 2}))
        reply = await _recv(ws)
        while "id" not in reply:
            reply = await _recv(ws)
        assert reply == {"result": ["btcusdt@kline_1m"], "id": 2}
        await ws.send(json.dumps({"method": "UNSUBSCRIBE", "params": ["btcusdt@kline_1m"], "id": 3}))
        reply = await _recv(ws)
        while "id" not in reply:
            reply = await _recv(ws)
        assert reply == {"result": None, "id": 3}
        await ws.send("pas du json")
        assert (await _recv(ws))["error"]["code"] == 3
        with pytest.raises(asyncio.TimeoutError):
            await _recv(ws, timeout=0.3)  # plus rien après UNSUBSCRIBE


async def test_close_all_forces_a_disconnect(fast_sim: ExchangeSimulator) -> None:
    async with _connect(f"{fast_sim.ws_url}/ws/btcusdt@kline_1m") as ws:
        await _recv(ws)
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"{fast_sim.base_url}/sim/ws/close-all") as resp,
        ):
            assert (await resp.json())["closed"] == 1
        with pytest.raises(ConnectionClosed) as info:
            while True:
                await _recv(ws)
        assert info.value.rcvd is not None and info.value.rcvd.code == 1001
    async with _connect(f"{fast_sim.ws_url}/ws/btcusdt@kline_1m") as ws:  # reconnexion possible
        assert (await _recv(ws))["e"] == "kline"


async def test_server_shutdown_event_then_cut(fast_sim: ExchangeSimulator) -> None:
    async with _connect(f"{fast_sim.ws_url}/stream?streams=btcusdt@kline_1m") as ws:
        await _recv(ws)
        assert fast_sim.announce_shutdown(close_after_ms=200) == 1
        seen = []
        with pytest.raises(ConnectionClosed):
            while True:
                seen.append(await _recv(ws))
    shutdown = [m for m in seen if m.get("e") == "serverShutdown"]
    assert len(shutdown) == 1 and isinstance(shutdown[0]["E"], int)


async def test_websocket_refused_while_down_and_server_pings() -> None:
    async with running_simulator(seed=1, ws_heartbeat=0.2, max_connection_seconds=1.0) as sim:
        sim.set_down("503")
        with pytest.raises(InvalidStatus):
            async with _connect(f"{sim.ws_url}/ws/btcusdt@trade"):
                pass
        sim.set_down(None)
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(f"{sim.ws_url}/ws/btcusdt@trade", autoping=False) as ws,
        ):
            kinds = set()
            while aiohttp.WSMsgType.PING not in kinds:  # ping serveur (heartbeat)
                msg = await asyncio.wait_for(ws.receive(), 2.0)
                kinds.add(msg.type)
                if msg.type == aiohttp.WSMsgType.PING:
                    await ws.pong(msg.data)
            started = time.monotonic()
            while not ws.closed:  # coupure après --max-connection-seconds
                msg = await asyncio.wait_for(ws.receive(), 3.0)
                if msg.type == aiohttp.WSMsgType.PING:
                    await ws.pong(msg.data)
                if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                    break
            assert time.monotonic() - started < 2.5


async def test_cli_starts_and_stops_cleanly_on_sigterm() -> None:
    """``python -m exchange_simulator`` (même code que la commande Django) : SIGTERM → arrêt propre."""
    import signal
    import sys
    from pathlib import Path

    from exchange_simulator.testing import free_port

    port = free_port()
    backend = Path(__file__).resolve().parents[2]  # backend/exchange_simulator/tests/…
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "exchange_simulator",
        "--port",
        str(port),
        "--symbols",
        "BTCUSDT",
        cwd=backend,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(100):
                try:
                    async with session.get(f"http://127.0.0.1:{port}/api/v3/ping") as resp:
                        assert await resp.json() == {}
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            else:
                pytest.fail("le simulateur n'a pas démarré")
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), 10)
    finally:
        if process.returncode is None:
            process.kill()
    assert process.returncode == 0
    assert "Simulateur Binance arrêté" in output.decode()
