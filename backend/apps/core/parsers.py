"""Lecture stricte des corps JSON de l'API : toute entrée hostile devient un 400 en français.

Le `JSONParser` de DRF laisse passer NaN/Infinity (que PostgreSQL refuse ensuite), des nombres de
milliers de chiffres, et lève RecursionError (500) sur une imbrication profonde. Ici : NaN,
Infinity, nombres de plus de 60 chiffres, plus de 32 niveaux d'imbrication, caractère nul et
demi-paires Unicode (illisibles pour PostgreSQL) sont refusés avec un message clair.
"""

from __future__ import annotations

import codecs
import json
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_NUMBER_CHARS = 60
MAX_DEPTH = 32


class _Refused(ValueError):
    pass


def _constant(name: str) -> Any:
    raise _Refused(f"valeur non finie « {name} » (NaN et Infinity ne sont pas du JSON)")


def _number(kind: type) -> Any:
    def parse(text: str) -> Any:
        if len(text) > MAX_NUMBER_CHARS:
            raise _Refused(f"nombre de {len(text)} chiffres (au plus {MAX_NUMBER_CHARS})")
        return kind(text)

    return parse


def _check(value: Any, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise _Refused(f"imbrication trop profonde (au plus {MAX_DEPTH} niveaux)")
    if isinstance(value, str):
        if "\x00" in value:
            raise _Refused("caractère nul (\\u0000) interdit")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _Refused("caractère Unicode invalide (demi-paire de substitution)") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key, depth + 1)
            _check(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check(item, depth + 1)


def strict_json_loads(text: str) -> Any:
    """`json.loads` qui refuse ce que PostgreSQL ou la pile Python ne supporteraient pas."""
    try:
        data = json.loads(text, parse_constant=_constant, parse_int=_number(int),
                          parse_float=_number(float))
    except _Refused as exc:
        raise ParseError(str(exc)) from None
    except RecursionError:
        raise ParseError(f"imbrication trop profonde (au plus {MAX_DEPTH} niveaux)") from None
    except ValueError as exc:
        raise ParseError(str(exc)) from None
    try:
        _check(data)
    except _Refused as exc:
        raise ParseError(str(exc)) from None
    return data


class StrictJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
        except (UnicodeDecodeError, LookupError):
            raise ParseError("corps non décodable en UTF-8") from None
        if not text.strip():
            raise ParseError("corps vide")
        return strict_json_loads(text)
