"""Le jeton du bot n'apparaît dans aucune ligne de journal, même celles de httpx (URL d'appel)."""

from __future__ import annotations

import logging

from apps.core.log_redaction import redact_text
from apps.notifications import telegram
from apps.notifications.tests.fake_telegram_server import VALID_CHAT, VALID_TOKEN

SECRET = VALID_TOKEN.split(":")[1]


def test_redaction_masks_telegram_tokens() -> None:
    url = f"POST https://api.telegram.org/bot{VALID_TOKEN}/sendMessage"
    assert redact_text(url) == "POST https://api.telegram.org/bot7000000001:***/sendMessage"
    assert SECRET not in redact_text(f"jeton={VALID_TOKEN} ; {VALID_TOKEN}")


async def test_httpx_request_lines_are_masked_at_the_source(fake_telegram, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")  # même si quelqu'un rend httpx bavard
    await telegram.send_message(VALID_TOKEN, VALID_CHAT, "bonjour")
    assert fake_telegram.texts() == ["bonjour"]
    lines = [record.getMessage() for record in caplog.records]
    assert any("sendMessage" in line for line in lines), lines  # la ligne existe bien…
    assert all(SECRET not in line for line in lines)  # … sans le jeton


async def test_errors_never_carry_the_url(settings) -> None:
    settings.ARISTOBOT_TELEGRAM_API_URL = "http://127.0.0.1:1"
    try:
        await telegram.send_message(VALID_TOKEN, VALID_CHAT, "x")
    except telegram.TelegramError as exc:
        assert SECRET not in str(exc) and exc.__cause__ is None and exc.__suppress_context__
    else:  # pragma: no cover
        raise AssertionError("erreur attendue")


async def test_a_malformed_api_url_gives_a_french_error_without_the_token(settings) -> None:
    settings.ARISTOBOT_TELEGRAM_API_URL = "http://[::1"  # URL illisible : httpx la recopierait
    try:
        await telegram.get_me(VALID_TOKEN)
    except telegram.TelegramError as exc:
        assert exc.message.startswith("Telegram injoignable à http://[::1 (") and SECRET not in exc.message
    else:  # pragma: no cover
        raise AssertionError("erreur attendue")
