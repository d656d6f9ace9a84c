"""The node's durable state: one SQLite database in WAL mode, or a PostgreSQL database shared by API replicas
and an active/standby node, with the same versioned migrations."""
