"""Log redaction: private keys and the API's secrets go, transaction hashes and model ids stay readable."""

import logging
import secrets

from oracle import logs

TX_HASH = "0x" + "ab" * 32
MODEL_ID = "5c" * 32


def test_hashes_and_ids_stay_readable():
    line = f"tx 3 mined: {TX_HASH} (model 0x{MODEL_ID}, request_id={MODEL_ID})"
    assert logs.redact(line) == line


def test_the_processs_own_key_is_redacted_in_any_form():
    key = secrets.token_hex(32)
    logs.add_secret("0x" + key)
    for form in (key, "0x" + key, key.upper(), f"HexBytes('0x{key}')"):
        assert key not in logs.redact(f"signing with {form} now").lower()
    assert logs.redact(f"it was {key}, next to {TX_HASH}") == f"it was [redacted], next to {TX_HASH}"


def test_key_shaped_values_in_key_named_fields_are_redacted():
    other = "cd" * 32
    for line, kept in (
        (f"private_key=0x{other}", "private_key=[redacted]"),
        (f'{{"privateKey": "0x{other}"}}', '{"privateKey": "[redacted]"}'),
        (f"keystore_password: {other}", "keystore_password: [redacted]"),
        (f"key=HexBytes('0x{other}')", "key=HexBytes('[redacted]')"),
    ):
        assert logs.redact(line) == kept


def test_api_secrets_are_redacted_by_prefix():
    line = "key oak_0123456789abcdefXYZ_-12 and whsec_abcdefghijklmnopqrstuv"
    assert logs.redact(line) == "key [redacted] and [redacted]"


def test_the_filter_redacts_messages_and_tracebacks():
    key = secrets.token_hex(32)
    logs.add_secret(key)
    try:
        raise ValueError(f"bad key {key}")
    except ValueError as error:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "tx %s with %s", (TX_HASH, key), (type(error), error, None)
        )
    assert logs.RedactingFilter().filter(record)
    assert record.getMessage() == f"tx {TX_HASH} with [redacted]"
    assert key not in record.exc_text and "bad key [redacted]" in record.exc_text
