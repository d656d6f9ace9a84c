"""The node's durable state: one SQLite database in WAL mode with versioned migrations."""
