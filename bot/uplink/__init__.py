"""The uplink to the city's platform: Open311 GeoReport v2 client, signed JSON webhook, the outbox
jobs that deliver each case step exactly once, status polling, signed photo links."""
