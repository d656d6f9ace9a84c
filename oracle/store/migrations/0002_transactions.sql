-- The transaction manager's write-ahead journal: a transaction is recorded, with its signed bytes,
-- before it is broadcast, and every fee-bumped replacement is another attempt at the same nonce.
-- Wei amounts are TEXT (decimal) because they may exceed SQLite's 64-bit integers.
CREATE TABLE transactions (
    tx_id           INTEGER PRIMARY KEY AUTOINCREMENT,
    sender          TEXT NOT NULL,
    nonce           INTEGER NOT NULL,
    to_address      TEXT NOT NULL,
    data            BLOB NOT NULL,
    gas_limit       INTEGER NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'mined', 'reverted', 'dropped')),
    mined_hash      BLOB,
    block_number    INTEGER,
    gas_used        INTEGER,
    effective_gas_price TEXT,
    created_at      REAL NOT NULL,
    updated_at      REAL NOT NULL
);
CREATE INDEX transactions_by_state ON transactions (state, sender, nonce);
-- Two pending transactions at one nonce would be a second transaction for the same slot.
CREATE UNIQUE INDEX transactions_one_pending_per_nonce ON transactions (sender, nonce) WHERE state = 'pending';

CREATE TABLE tx_attempts (
    tx_hash         BLOB PRIMARY KEY,
    tx_id           INTEGER NOT NULL REFERENCES transactions (tx_id),
    attempt         INTEGER NOT NULL,
    raw             BLOB NOT NULL,
    max_fee_per_gas TEXT NOT NULL,
    max_priority_fee_per_gas TEXT NOT NULL,
    sent_block      INTEGER NOT NULL,
    created_at      REAL NOT NULL,
    UNIQUE (tx_id, attempt)
);
