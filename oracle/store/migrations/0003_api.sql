-- The HTTP API's own state. API keys are kept only as the sha256 of the key, which is shown once, when
-- it is created, and `prefix` (the key's first characters) tells keys apart in listings.
CREATE TABLE api_keys (
    key_id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT NOT NULL,
    key_hash        BLOB NOT NULL UNIQUE,
    prefix          TEXT NOT NULL,
    scopes          TEXT NOT NULL,
    rate_limit      INTEGER NOT NULL CHECK (rate_limit > 0),
    created_at      REAL NOT NULL,
    revoked_at      REAL
);

-- Threshold alerts: a POST to `url` for each confirmed OK result of `model_id` at or above (or at or
-- below) `threshold` (fixed-point, decimal TEXT: an int256). The secret signs the POSTs, so it is kept
-- as is (it is returned once, at creation). `scanned_until` is the settled_at up to which results
-- have been checked.
CREATE TABLE webhooks (
    webhook_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    url             TEXT NOT NULL,
    model_id        BLOB NOT NULL,
    threshold       TEXT NOT NULL,
    direction       TEXT NOT NULL CHECK (direction IN ('above', 'below')),
    secret          TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    owner_key_id    INTEGER REFERENCES api_keys (key_id),
    scanned_until   REAL NOT NULL,
    created_at      REAL NOT NULL
);
CREATE INDEX webhooks_by_model ON webhooks (model_id);

-- One row per (webhook, result): the event to send, and where its delivery stands.
CREATE TABLE webhook_deliveries (
    delivery_id     INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks (webhook_id) ON DELETE CASCADE,
    request_id      BLOB NOT NULL,
    event           TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    last_status     INTEGER,
    last_error      TEXT,
    created_at      REAL NOT NULL,
    finished_at     REAL,
    UNIQUE (webhook_id, request_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);

-- Written by the readiness probe to prove the store takes writes.
CREATE TABLE api_heartbeat (
    name            TEXT PRIMARY KEY,
    beat_at         REAL NOT NULL
);

-- Webhook scans read each model's results in settlement order.
CREATE INDEX requests_by_model_settled ON requests (model_id, settled_at);
