"""The passive text reply's XML, from a fixed template.

wechatpy's TextReply built a message object and its fields for every reply (about 10 us of a webhook) and
wrote the text into CDATA as it was: a "]]>" in it (a resident's own words quoted back) ended the section
early and the rest became markup. Here each value is split at "]]>" so that CDATA carries it whole.
"""

from __future__ import annotations

import time

_TEMPLATE = (
    "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[{content}]]></Content>\n"
    "<FromUserName><![CDATA[{sender}]]></FromUserName>\n<ToUserName><![CDATA[{recipient}]]></ToUserName>\n"
    "<CreateTime>{now}</CreateTime>\n</xml>"
)


def cdata_safe(text: str) -> str:
    """`text` for the inside of a CDATA section: a "]]>" becomes the end of one section and the start of the next."""
    return text.replace("]]>", "]]]]><![CDATA[>")


def text_reply(content: str, *, sender: str, recipient: str, now: float | None = None) -> str:
    """The reply to a message from `recipient` to our account `sender` (the message's ToUserName)."""
    return _TEMPLATE.format(content=cdata_safe(content), sender=cdata_safe(sender), recipient=cdata_safe(recipient),
                            now=int(time.time() if now is None else now))
