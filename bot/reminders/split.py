"""Split a long markdown message into parts that each fit the robot's 4096-byte limit, at line ends."""

from __future__ import annotations


def _fit(line: str, limit: int) -> str:
    data = line.encode("utf-8")
    if len(data) <= limit:
        return line
    return data[: limit - 3].decode("utf-8", errors="ignore") + "…"


def split_message(content: str, limit: int = 4096, header_room: int = 40) -> list[str]:
    """Parts of at most `limit` UTF-8 bytes; parts after the first start with "（续 n/N）"."""
    if len(content.encode("utf-8")) <= limit:
        return [content]
    budget = limit - header_room
    parts: list[list[str]] = [[]]
    size = 0
    for line in (_fit(line, budget) for line in content.split("\n")):
        cost = len(line.encode("utf-8")) + 1
        if parts[-1] and size + cost > budget:
            parts.append([])
            size = 0
        parts[-1].append(line)
        size += cost
    total = len(parts)
    return ["\n".join(lines) if n == 0 else f"（续 {n + 1}/{total}）\n" + "\n".join(lines)
            for n, lines in enumerate(parts)]
