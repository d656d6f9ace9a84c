"""Webhook delivery, a background worker beside the API: finds confirmed results that cross a webhook's
threshold, and POSTs them signed (HMAC) to public addresses only, with retries. The API registers webhooks
and reads their deliveries from the store; it never sends one."""
