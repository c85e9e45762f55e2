"""Text that XML 1.0 can carry.

XML 1.0 has no way to write most C0 control characters (not even as &#11;), the surrogates or
U+FFFE/U+FFFF: one such character in a stored description made every listing that contains it
ill-formed for every client. Text from outside is cleaned on the way in, and again on the way out
for whatever an older version stored.
"""

from __future__ import annotations

import re

# Tab, line feed and carriage return are the only C0 characters XML 1.0 allows.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 cannot carry."""
    return _NOT_IN_XML.sub("", text)


def has_nul(text: str) -> bool:
    return "\x00" in text
