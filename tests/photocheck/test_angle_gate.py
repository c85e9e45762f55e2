"""Edge-orientation agreement alone does not make two well-lit photos 'the same angle': two different spots
that share a layout (a street seen along the kerb) agree in structure too. It counts in full only where
local features had no fair chance (a dark photo, a large exposure gap), else as far as features back it."""

from photocheck.angle import (DARK_GAP, DARK_LEVEL, MIN_INLIERS, TRUSTED_INLIERS, Viewpoint, _features_fair,
                              angle_score)
from photocheck.thresholds import Thresholds

FAR_OFF = Viewpoint(shift=0.6, scale=1.0, rotation_deg=0.0, translation=0.5)  # a homography of random matches
LAYOUT_ALIKE = 0.9  # block share that two streets seen along the kerb reach


def test_structure_without_feature_support_in_good_light_is_not_enough():
    score = angle_score(MIN_INLIERS - 1, FAR_OFF, LAYOUT_ALIKE, features_fair=True)
    assert score < Thresholds().same_angle


def test_structure_counts_in_full_when_features_back_it():
    assert angle_score(TRUSTED_INLIERS, FAR_OFF, LAYOUT_ALIKE, features_fair=True) == (LAYOUT_ALIKE - 0.5) / 0.5


def test_structure_counts_in_full_at_night():
    score = angle_score(MIN_INLIERS - 1, FAR_OFF, LAYOUT_ALIKE, features_fair=_features_fair(140.0, 25.0))
    assert score == (LAYOUT_ALIKE - 0.5) / 0.5 >= Thresholds().same_angle


def test_features_are_fair_only_in_good_and_even_light():
    assert _features_fair(140.0, 120.0)
    assert not _features_fair(140.0, DARK_LEVEL - 1)
    assert not _features_fair(DARK_LEVEL + 1 + DARK_GAP + 1, DARK_LEVEL + 1)
