"""Request and response bodies of the HTTP API (separate models for what comes in and what goes out)."""
