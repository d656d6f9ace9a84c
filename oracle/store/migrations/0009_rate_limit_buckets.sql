-- Token buckets per caller, shared by every API process on the same database (workers of one host on SQLite,
-- replicas on PostgreSQL): a key's limit holds whichever process serves it. Replaces the per-minute windows.
CREATE TABLE rate_limit_buckets (
    caller          TEXT PRIMARY KEY,
    tokens          REAL NOT NULL,
    updated         REAL NOT NULL
);
DROP TABLE rate_limit_windows
