"""The served app freezes the loaded libraries' objects out of the garbage collector (bot.webserver): without
it every full collection walks them all, seen as periodic latency spikes in the webhook benchmark."""

from __future__ import annotations

import gc

from flask import Flask

from bot.webserver import built_for_serving


def test_the_app_built_for_serving_leaves_its_objects_frozen() -> None:
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        app = built_for_serving(lambda: Flask("served"))
        assert isinstance(app, Flask) and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
