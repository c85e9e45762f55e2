"""A callback body read straight into its fields with the standard library's expat.

wechatpy's parse_message built them with xmltodict and then a message object whose fields convert on each
read: about 9 % of a text message's server time. WeChat's callbacks are one flat <xml> element of text fields
(a few events nest one level, e.g. SendLocationInfo), so a handful of expat handlers build the same dict:
text fields as stripped strings (None when empty), nested elements as dicts, a repeated element as a list.

Hostile XML is refused before anything is expanded: any DOCTYPE (WeChat never sends one, and it is where
entities are declared: billion laughs, external entities); an entity not declared is an expat error. No
external DTD or entity is ever loaded (expat's default). The body's size is bounded by the app's
MAX_CONTENT_LENGTH before it is read.
"""

from __future__ import annotations

from typing import Any
from xml.parsers import expat

Fields = dict[str, Any]


class RefusedXML(ValueError):
    """XML we do not read: a document type declaration (and the entities it could declare)."""


def _refuse_doctype(*_args: object) -> None:
    raise RefusedXML("document type declarations are refused")


def parse_callback(body: bytes) -> Fields:
    """The fields of the <xml> element of `body`. ExpatError when it is not well-formed, RefusedXML for a
    DOCTYPE, KeyError('xml') when the root is another element."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    parser.buffer_text = True
    stack: list[tuple[str, Fields, list[str]]] = []  # (tag, children, text) of each open element
    root: list[tuple[str, Any]] = []

    def start(tag: str, _attributes: dict[str, str]) -> None:
        stack.append((tag, {}, []))

    def text(data: str) -> None:
        stack[-1][2].append(data)

    def end(tag: str) -> None:
        _, children, chunks = stack.pop()
        value = children if children else ("".join(chunks).strip() or None)
        if not stack:
            root.append((tag, value))
            return
        siblings = stack[-1][1]
        if tag not in siblings:
            siblings[tag] = value
        elif isinstance(siblings[tag], list):
            siblings[tag].append(value)
        else:
            siblings[tag] = [siblings[tag], value]

    parser.StartElementHandler, parser.CharacterDataHandler, parser.EndElementHandler = start, text, end
    parser.Parse(body, True)
    tag, value = root[0]
    if tag != "xml":
        raise KeyError("xml")
    return value if isinstance(value, dict) else {}
