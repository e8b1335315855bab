"""Ce que le README dit de l'installation correspond au code (scripts/aristobot_ops)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _services_cli():  # noqa: ANN202
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from aristobot_ops import services_cli
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return services_cli


def test_every_readme_statement_about_the_generated_secret_key_names_the_real_file() -> None:
    secret_file = _services_cli().SECRET_KEY_FILE.relative_to(ROOT).as_posix()
    assert secret_file == ".data/secret_key"
    paragraphs = [p for p in re.split(r"\n\s*\n", README) if "SECRET_KEY" in p and "génère" in p]
    assert len(paragraphs) >= 2, "le README explique où la SECRET_KEY est générée"
    for paragraph in paragraphs:
        assert f"`{secret_file}`" in paragraph, paragraph
        assert "dans `.env`" not in paragraph, paragraph
