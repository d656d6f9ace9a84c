"""Offline training: builds model directories (artifact, schema, report, card) for the node to serve."""
