-- Publishable API keys (secret prefix pk_) are made to sit in a web page: each is limited to the pull
-- scope, to the browser origins listed in `origins` (space-separated, checked against the Origin header
-- of every request) and to its own rate limit. Secret keys keep publishable = 0 and no origins.
ALTER TABLE api_keys ADD COLUMN publishable INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_keys ADD COLUMN origins TEXT NOT NULL DEFAULT ''
