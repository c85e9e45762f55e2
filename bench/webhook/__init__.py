"""Webhook latency under load: `python -m bench.webhook`."""
