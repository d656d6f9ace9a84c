-- Observations signed by the network's signers, this node's own included: a report is built from k of
-- them that agree on the request's fields and status. One per signer and request, a newer one replacing
-- the older (after a reorg the same request id may carry other features).
CREATE TABLE observations (
    request_id      BLOB NOT NULL,
    signer          TEXT NOT NULL,
    model_id        BLOB NOT NULL,
    artifact_hash   BLOB NOT NULL,
    input_hash      BLOB NOT NULL,
    status          INTEGER NOT NULL,
    value           TEXT NOT NULL,
    signature       BLOB NOT NULL,
    received_at     REAL NOT NULL,
    PRIMARY KEY (request_id, signer)
);

-- What this node exchanged with each peer, written by the node (sending) and the API (receiving).
CREATE TABLE peers (
    address         TEXT PRIMARY KEY,
    last_seen_at    REAL,
    received        INTEGER NOT NULL DEFAULT 0,
    refused         INTEGER NOT NULL DEFAULT 0,
    last_sent_at    REAL,
    sent            INTEGER NOT NULL DEFAULT 0,
    send_failures   INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT
);
