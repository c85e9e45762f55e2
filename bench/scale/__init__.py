"""Several web and worker processes on PostgreSQL with photos in an S3-compatible store: `python -m bench.scale`."""
