"""Logging set-up: plain or one-JSON-object-per-line records, with the process's secrets redacted."""

from __future__ import annotations

import json
import logging
import re
import sys
import time

# What is redacted: the secrets this process holds (its signing key, keystore password: `add_secret`) wherever
# they appear; a key-shaped value (64 hex digits) written after a field whose name says key, secret, password,
# seed or mnemonic; and the HTTP API's secrets by their prefixes (API keys oak_..., webhook secrets whsec_...).
# Transaction hashes, request and model ids are 64 hex digits too, and stay readable: a log line must be
# matchable to a block explorer.
_KEY_NAMED = re.compile(
    r"(?i)(\b[\w-]*(?:key|secret|password|passphrase|seed|mnemonic)[\w-]*[\"']?\s*[:=]\s*(?:HexBytes\()?[\"']?)"
    r"(?:0x)?[0-9a-f]{64}(?![0-9a-f])"
)
_PREFIXED = re.compile(r"\b(?:oak|whsec)_[A-Za-z0-9_-]{16,}")
_known: set[str] = set()  # this process's secrets, as given to add_secret
_known_pattern: re.Pattern[str] | None = None


def add_secret(value: str) -> None:
    """A secret this process holds, never to be logged in any form (hex with or without 0x, any case)."""
    global _known_pattern
    value = value.strip()
    if len(value) < 8:  # too short to redact without mangling ordinary text
        return
    if re.fullmatch(r"(0x)?[0-9a-fA-F]+", value):
        value = value.removeprefix("0x").lower()
    _known.add(value)
    alternatives = "|".join(
        "(?:0x)?" + re.escape(v) if re.fullmatch(r"[0-9a-f]+", v) else re.escape(v)
        for v in sorted(_known, key=len, reverse=True)
    )
    _known_pattern = re.compile(f"(?i){alternatives}")


def redact(text: str) -> str:
    if _known_pattern is not None:
        text = _known_pattern.sub("[redacted]", text)
    text = _KEY_NAMED.sub(r"\1[redacted]", text)
    return _PREFIXED.sub("[redacted]", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "method", "path", "status_code", "duration_ms"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry)


def configure(level: str = "INFO", as_json: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(
        JsonFormatter() if as_json else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("web3", "urllib3", "httpx"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
