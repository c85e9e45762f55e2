"""Which hosts a chat photo's PicUrl may be fetched from.

PicUrl comes in the message body; in plain mode anyone who can post a message chooses it, so a
forged one would make the worker fetch internal addresses. Only WeChat's media hosts (configurable:
CHENGGUAN_PHOTO_HOSTS) are fetched, never through a redirect; anything else is downloaded through
the media API by MediaId instead.
"""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def photo_host_allowed(url: str, allowed: tuple[str, ...]) -> bool:
    """Entries: "host" (default port), "host:port", ".domain" (it and its subdomains, default port)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc:
        return False
    host, port = parts.hostname.lower(), port or DEFAULT_PORTS[parts.scheme]
    return any(_matches(host, port, entry, DEFAULT_PORTS[parts.scheme]) for entry in allowed)


def _matches(host: str, port: int, entry: str, default_port: int) -> bool:
    name, _, entry_port = entry.partition(":")
    if port != (int(entry_port) if entry_port else default_port):
        return False
    if name.startswith("."):
        return host == name[1:] or host.endswith(name)
    return host == name
