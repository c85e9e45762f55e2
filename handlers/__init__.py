"""Conversation flows. A step is a small function (ctx) -> reply text; it never touches Flask, XML or HTTP."""
