"""The node's HTTP API (FastAPI): health, metrics, models, requests, pull-mode predictions, webhooks, keys."""

from oracle.api.app import create_app

__all__ = ["create_app"]
