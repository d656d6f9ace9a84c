-- The chain a store belongs to: recorded at the node's first start and checked at every start after, so
-- a store is never used against another chain, a reset chain (new genesis) or another coordinator.
-- One row (id 1). Hashes are 0x-hex TEXT and the recording time whole seconds, for any SQL engine.
CREATE TABLE chain_identity (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    chain_id        BIGINT NOT NULL,
    genesis_hash    TEXT NOT NULL,
    coordinator     TEXT NOT NULL,
    recorded_at     BIGINT NOT NULL
)
