-- Every request the node has seen, and where it stands: seen -> predicted -> signed -> sent ->
-- confirmed | failed | expired. Byte strings are stored as BLOBs.
CREATE TABLE requests (
    request_id      BLOB PRIMARY KEY,
    model_id        BLOB NOT NULL,
    artifact_hash   BLOB NOT NULL,
    input_hash      BLOB NOT NULL,
    consumer        TEXT NOT NULL,
    fee_wei         TEXT NOT NULL,
    deadline        INTEGER NOT NULL,
    callback_gas    INTEGER NOT NULL,
    features        TEXT NOT NULL,
    block_number    INTEGER NOT NULL,
    block_hash      BLOB NOT NULL,
    log_index       INTEGER NOT NULL,
    event_tx_hash   BLOB NOT NULL,
    state           TEXT NOT NULL CHECK (state IN
                        ('seen', 'predicted', 'signed', 'sent', 'confirmed', 'failed', 'expired')),
    status          INTEGER,
    value           TEXT,
    signatures      BLOB,
    tx_id           INTEGER,
    settled_block   INTEGER,
    sends           INTEGER NOT NULL DEFAULT 0,
    error           TEXT,
    inference_ms    REAL,
    seen_at         REAL NOT NULL,
    predicted_at    REAL,
    sent_at         REAL,
    settled_at      REAL,
    updated_at      REAL NOT NULL
);
CREATE INDEX requests_by_state ON requests (state, block_number, log_index);
CREATE INDEX requests_by_block ON requests (block_number);
CREATE INDEX requests_by_model ON requests (model_id);
CREATE INDEX requests_by_consumer ON requests (consumer);
CREATE INDEX requests_by_tx ON requests (tx_id);

-- How far the listener has read, and the hashes of recent blocks it read, to notice reorgs.
CREATE TABLE checkpoints (
    name            TEXT PRIMARY KEY,
    block_number    INTEGER NOT NULL,
    block_hash      BLOB NOT NULL
);
CREATE TABLE block_hashes (
    block_number    INTEGER PRIMARY KEY,
    block_hash      BLOB NOT NULL
);
