"""Faces seen from either side: the profile cascade knows one direction, so the photo is searched mirrored
too. scikit-image's cameraman looks the other way: only the mirrored search finds him."""

from __future__ import annotations

import numpy as np
from PIL import ImageOps

from bot.redaction.faces import find_faces
from tests.photos import image

HEAD = (190, 75, 270, 175)  # the cameraman's head in the 512x512 photo (left, top, right, bottom)


def _centre_in(box, area) -> bool:
    cx, cy = box.x + box.w / 2, box.y + box.h / 2
    return area[0] <= cx <= area[2] and area[1] <= cy <= area[3]


def test_a_face_in_profile_is_found_looking_either_way():
    photo = image("camera").convert("RGB")
    assert any(_centre_in(b, HEAD) for b in find_faces(np.asarray(photo)))
    mirrored_head = (512 - HEAD[2], HEAD[1], 512 - HEAD[0], HEAD[3])
    assert any(_centre_in(b, mirrored_head) for b in find_faces(np.asarray(ImageOps.mirror(photo))))


def test_a_frontal_face_is_found():
    assert any(_centre_in(b, (178, 69, 270, 161)) for b in find_faces(np.asarray(image("astronaut").convert("RGB"))))
