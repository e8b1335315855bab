"""Aucun secret dans une ligne de journal : filtre branché sur la racine, appliqué à tout."""

from __future__ import annotations

import io
import logging

import pytest

from apps.core.log_redaction import RedactSecretsFilter, redact_text


@pytest.mark.parametrize(("text", "leak"), [
    ("Connexion à http://alice:motdepasse@10.0.0.5:11434/api/tags refusée", "motdepasse"),
    ("redis://:mdp-redis@127.0.0.1:6379/0 injoignable", "mdp-redis"),
    ("postgres://aristobot:pg-secret@db/aristobot", "pg-secret"),
    ("GET https://api.binance.com/api/v3/account?timestamp=1&signature=abcdef0123456789", "abcdef0123456789"),
    ("https://x/y?apiKey=CLE-API-123&foo=1", "CLE-API-123"),
    ("Authorization: Bearer sk-or-v1-tres-secrete", "sk-or-v1-tres-secrete"),
    ('corps {"secret": "s3cr3t-webhook", "symbol": "BTCUSDT"}', "s3cr3t-webhook"),
    ("{'api_key': 'AKIA-123', 'x': 1}", "AKIA-123"),
])
def test_secrets_are_masked_in_text(text: str, leak: str) -> None:
    redacted = redact_text(text)
    assert leak not in redacted and "***" in redacted


def test_ordinary_text_is_untouched() -> None:
    text = "Signal 5m : 3 stratégie(s) en 0.12 s (12:buy, 14:none) ; https://api.binance.com/api/v3/time"
    assert redact_text(text) == text


def test_the_filter_rewrites_messages_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecretsFilter())
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    try:
        logger.warning("URL %s", "http://bob:mdp-bob@host:1/")
        try:
            raise ValueError("échec sur https://carol:mdp-carol@host/")
        except ValueError:
            logger.exception("erreur")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "mdp-bob" not in output and "mdp-carol" not in output
    assert "http://***@host:1/" in output and "ValueError" in output


def test_the_root_handler_of_the_application_has_the_filter() -> None:
    handlers = logging.getLogger().handlers
    assert any(isinstance(f, RedactSecretsFilter) for h in handlers for f in h.filters)
