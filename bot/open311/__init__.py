"""Our own Open311 GeoReport v2 server under /open311/v2/: other systems read and file cases here."""
