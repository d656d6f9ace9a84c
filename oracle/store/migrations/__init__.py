"""Numbered SQL migrations, applied in order by oracle.store.database.Database."""
