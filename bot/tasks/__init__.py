"""Outbox job handlers: the slow work the worker does after a webhook has answered."""
