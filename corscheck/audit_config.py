"""The [audit] table of corscheck.toml: an audit declared once, so that CI runs `corscheck audit`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corscheck.config import ConfigError, read_document
from corscheck.core.audit_probes import Risk

AUDIT_KEYS = frozenset({"urls", "origins", "method", "headers", "cookie", "fail_on"})
RISKS = tuple(risk.value for risk in Risk)


class NoAuditTable(ConfigError):
    """The config file has no [audit] table (fine when the file was found, not named)."""


@dataclass(frozen=True)
class AuditConfig:
    urls: tuple[str, ...] = ()
    origins: tuple[str, ...] = ()
    method: str | None = None
    headers: tuple[str, ...] = ()
    cookie: str | None = None
    fail_on: str | None = None


def _strings(table: dict[str, Any], key: str, source: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{source}: [audit]: key {key!r}: must be a list of strings")
    return tuple(value)


def _string(table: dict[str, Any], key: str, source: str) -> str | None:
    value = table.get(key)
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{source}: [audit]: key {key!r}: must be a string")
    return value


def load_audit_config(path: Path) -> AuditConfig:
    """The [audit] table of ``path``; every problem is a ConfigError naming the file and key."""
    source = str(path)
    data, _ = read_document(path)
    table = data.get("audit")
    if table is None:
        raise NoAuditTable(f"{source}: no [audit] table")
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: key 'audit': must be a table")
    unknown = sorted(set(table) - AUDIT_KEYS)
    if unknown:
        raise ConfigError(f"{source}: [audit]: key {unknown[0]!r}: unknown key")
    fail_on = _string(table, "fail_on", source)
    if fail_on is not None and fail_on not in RISKS:
        raise ConfigError(f"{source}: [audit]: key 'fail_on': must be one of {', '.join(RISKS)}")
    return AuditConfig(
        urls=_strings(table, "urls", source),
        origins=_strings(table, "origins", source),
        method=_string(table, "method", source),
        headers=_strings(table, "headers", source),
        cookie=_string(table, "cookie", source),
        fail_on=fail_on,
    )
