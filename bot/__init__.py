"""The service shell: app factory, configuration, database session, channels, worker, CLI."""

__version__ = "0.1.0"
