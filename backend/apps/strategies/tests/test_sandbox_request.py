"""Requête parent → enfant : pickle + tampons hors bande (tableaux numpy écrits sans copie),
relue dans un seul tampon ; bougies reprises sans copie en un bloc pandas quand c'est sûr."""

from __future__ import annotations

import os
import threading

import numpy as np
import pandas as pd

from apps.strategies.runtime.decide import build_frame, sample_candles
from apps.strategies.runtime.sandbox.child import read_request
from apps.strategies.runtime.sandbox.frames import request_parts


def _through_pipe(request: dict) -> dict:
    """Comme le bac à sable : le parent écrit les morceaux, l'enfant lit (tube réel, > 64 Ko)."""
    read_fd, write_fd = os.pipe()

    def write() -> None:
        with os.fdopen(write_fd, "wb") as stream:
            for part in request_parts(request):
                stream.write(part)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        return read_request(read_fd)
    finally:
        writer.join()
        os.close(read_fd)


def test_request_round_trip_keeps_values_and_arrays_writable() -> None:
    big = np.arange(300_000, dtype=np.float64)  # 2,4 Mo : plusieurs remplissages du tube
    request = {"code": "x = 1", "n": 3, "nested": {"a": [1, 2.5, None]}, "big": big,
               "ints": np.arange(7, dtype=np.int64)}
    got = _through_pipe(request)
    assert got["code"] == "x = 1" and got["n"] == 3 and got["nested"] == {"a": [1, 2.5, None]}
    assert np.array_equal(got["big"], big) and got["ints"].tolist() == list(range(7))
    got["big"][0] = 42.0  # l'enfant possède ses tableaux
    assert big[0] == 0.0


def test_candles_sent_in_order_become_one_block_without_copy() -> None:
    arrays = sample_candles()
    received = _through_pipe({"candles": arrays})["candles"]
    frame = build_frame(received)
    assert len(frame._mgr.blocks) == 1
    assert np.shares_memory(frame["open"].to_numpy(), received["open"])
    pd.testing.assert_frame_equal(frame, build_frame(arrays))
    assert frame.index.name == "timestamp" and str(frame.index.tz) == "UTC"


def test_candles_in_another_order_or_separate_arrays_are_still_right() -> None:
    arrays = sample_candles()
    shuffled = {name: arrays[name] for name in ("timestamp", "close", "open", "volume", "low", "high")}
    received = _through_pipe({"candles": shuffled})["candles"]
    expected = build_frame(arrays)
    pd.testing.assert_frame_equal(build_frame(received), expected)
    assert len(build_frame(arrays)._mgr.blocks) == 5  # tableaux séparés : un bloc par colonne
    ints = {**arrays, "volume": arrays["volume"].astype(np.int64)}
    assert build_frame(ints)["volume"].dtype == np.float64


def test_a_limit_signal_during_encoding_never_breaks_the_frame() -> None:
    """Limite CPU et limite murale tombent ensemble sur une boucle infinie : un signal reçu pendant
    l'encodage de la réponse ne doit ni la casser ni la remplacer ; il est traité après l'envoi."""
    import signal

    import pytest

    from apps.strategies.runtime.sandbox.child import Channel
    from apps.strategies.runtime.sandbox.frames import HEADER, StrategyTimeout, decode

    class Late:
        def __str__(self) -> str:  # appelé par l'encodeur (valeur non JSON)
            # Signal dirigé vers CE thread : l'enfant du bac à sable n'en a qu'un, mais le
            # processus de test en a d'autres, qui recevraient un signal adressé au processus.
            signal.pthread_kill(threading.get_ident(), signal.SIGALRM)
            return "ok"

    def on_alarm(signum: int, frame: object) -> None:
        raise StrategyTimeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    read_fd, write_fd = os.pipe()
    os.set_blocking(read_fd, False)
    try:
        with pytest.raises(StrategyTimeout):  # levée après l'envoi, pas pendant l'encodage
            Channel(write_fd).send({"type": "result", "value": Late()})
        try:
            data = os.read(read_fd, 65536)
        except BlockingIOError:
            data = b""  # rien d'envoyé : la trame a été perdue
    finally:
        signal.signal(signal.SIGALRM, previous)
        os.close(read_fd)
        os.close(write_fd)
    assert decode(data[HEADER.size:]) == {"type": "result", "value": "ok"}
