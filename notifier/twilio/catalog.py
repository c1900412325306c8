"""Twilio's public error-code catalog: message and product for a code, never on the hot path."""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
import urllib.request
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from notifier.errors import UserError

CATALOG_URL = "https://www.twilio.com/docs/api/errors/twilio-error-codes.json"
# Package data, so a fresh install names every known code offline (see data/README.md).
BUNDLED = resources.files(__package__).joinpath("data", "twilio-error-codes.json")

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ErrorCode:
    code: str
    message: str
    product: str | None
    # "Possible causes" and "Possible solutions", one plain-text item each (links kept as text).
    causes: tuple[str, ...] = ()
    solutions: tuple[str, ...] = ()


class Catalog:
    """Error codes by number; empty until loaded, and alerts never wait for it."""

    def __init__(self, codes: dict[str, ErrorCode] | None = None) -> None:
        self._codes = codes or {}

    def lookup(self, code: str | None) -> ErrorCode | None:
        return self._codes.get(code) if code else None

    def replace(self, codes: dict[str, ErrorCode]) -> None:
        self._codes = codes


def parse_catalog(data: Any) -> dict[str, ErrorCode]:
    """Read the catalog JSON (a list of objects with `code`, `message`, `product`...)."""
    if not isinstance(data, list):
        raise ValueError("the error-code catalog is not a JSON array")
    codes: dict[str, ErrorCode] = {}
    for entry in data:
        if isinstance(entry, dict) and entry.get("code") is not None:
            code = str(entry["code"])
            codes[code] = ErrorCode(
                code=code,
                message=str(entry.get("message") or ""),
                product=entry.get("product") or None,
                causes=bullets(entry.get("causes")),
                solutions=bullets(entry.get("solutions")),
            )
    return codes


_BULLET = re.compile(r"^\s*[*+-]\s+")
_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


def bullets(markdown: object) -> tuple[str, ...]:
    """The items of the catalog's markdown list ("* item\\n* item"), each one line of plain
    text; text outside a list counts as one item per paragraph."""
    if not isinstance(markdown, str):
        return ()
    items: list[list[str]] = []
    fresh = True
    for line in markdown.replace("\r\n", "\n").split("\n"):
        if _BULLET.match(line) or (fresh and line.strip()):
            items.append([])
        fresh = not line.strip()
        if line.strip():
            items[-1].append(_BULLET.sub("", line).strip())
    return tuple(text for text in (plain(" ".join(item)) for item in items) if text)


def plain(markdown: str) -> str:
    """`[text](url)` as `text (url)`, bold and italics markers dropped, spaces collapsed."""
    text = _LINK.sub(lambda link: f"{link.group(1)} ({link.group(2)})", markdown)
    return " ".join(_EMPHASIS.sub(r"\2", text).split())


def load_file(path: Path) -> dict[str, ErrorCode]:
    try:
        return parse_catalog(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as error:
        raise ValueError(f"{str(path)!r} cannot be read: {error}") from None


@functools.cache
def load_bundled() -> dict[str, ErrorCode]:
    """The catalog shipped inside the package (see data/README.md for its source and date)."""
    return parse_catalog(json.loads(BUNDLED.read_text(encoding="utf-8")))


@functools.cache
def bundled_catalog() -> Catalog:
    """The bundled catalog, read once: what renderers fall back on when given no other."""
    return Catalog(load_bundled())


def load_configured(path: Path) -> dict[str, ErrorCode]:
    """The catalog TWILIO_ERROR_CODES_FILE names: a file that cannot be read is the user's to
    fix, for every command alike."""
    try:
        return load_file(path)
    except ValueError as error:
        raise UserError(f"TWILIO_ERROR_CODES_FILE {error}") from None


def load_initial(configured: Path | None) -> dict[str, ErrorCode]:
    """TWILIO_ERROR_CODES_FILE's catalog when set, else the bundled one: never the network."""
    return load_bundled() if configured is None else load_configured(configured)


def fetch_in_background(catalog: Catalog, cache: Path, url: str = CATALOG_URL) -> None:
    """Fill `catalog` from the cache file at once, then from Twilio's site in a daemon thread;
    until then it keeps what it holds (the bundled copy)."""
    if cache.exists():
        try:
            catalog.replace(load_file(cache))
        except ValueError as error:
            log.warning("ignoring the cached error-code catalog: %s", error)
    threading.Thread(target=_fetch, args=(catalog, cache, url), daemon=True).start()


def _fetch(catalog: Catalog, cache: Path, url: str) -> None:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            body = response.read()
        codes = parse_catalog(json.loads(body))
    except (OSError, ValueError) as error:
        log.info("error-code catalog not fetched (%s); alerts show codes and docs links", error)
        return
    catalog.replace(codes)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(body)
    except OSError as error:
        log.info("error-code catalog not cached: %s", error)
