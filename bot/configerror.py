"""The configuration error on its own, so the CLI can catch it without importing bot.config (SQLAlchemy)."""


class ConfigError(Exception):
    """A missing or invalid setting. str() is one line that says what to change."""
