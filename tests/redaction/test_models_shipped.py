"""Every detector model comes from an installed package, never from the network at run time."""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest
import rapidocr

from bot.redaction import plates
from tests.redaction.plate_scene import BLUE, WHITE, plate, scene


def test_the_plate_models_are_read_from_the_rapidocr_package(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the detector went to the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    plates._engine.cache_clear()
    pixels, _ = scene((plate("京A·12345", BLUE, WHITE), (500, 300), 0))
    assert plates.find_plates(pixels)
    engine = plates._engine()
    folder = Path(rapidocr.__file__).parent / "models"
    assert Path(engine.cfg.Det.model_path).parent == folder and Path(engine.cfg.Rec.model_path).parent == folder


def test_a_missing_model_is_said_plainly(monkeypatch):
    monkeypatch.setitem(plates.MODELS, "Det", "no-such-model.onnx")
    plates._engine.cache_clear()
    try:
        with pytest.raises(plates.DetectorMissing, match="no-such-model.onnx"):
            plates.find_plates(np.zeros((64, 64, 3), np.uint8))
    finally:
        plates._engine.cache_clear()
