-- Requests counted per caller and minute, shared by every API replica on the same database: a limit holds
-- across replicas. A row per (caller, minute) that has seen a request, older minutes deleted.
CREATE TABLE rate_limit_windows (
    caller          TEXT NOT NULL,
    window_start    BIGINT NOT NULL,
    hits            BIGINT NOT NULL,
    PRIMARY KEY (caller, window_start)
);
