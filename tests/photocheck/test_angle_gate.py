"""Edge-orientation agreement alone does not make two photos 'the same angle': two different spots that share
a layout (a street seen along the kerb) agree in structure too, by day and at night. It counts as far as
feature matches back it; where local features have a poorer chance (a dark photo, a large exposure gap)
fewer matches are asked for."""

from photocheck.angle import (DARK_GAP, DARK_LEVEL, DARK_TRUSTED_INLIERS, MIN_INLIERS, TRUSTED_INLIERS, Viewpoint,
                              _features_fair, angle_score)
from photocheck.thresholds import Thresholds

FAR_OFF = Viewpoint(shift=0.6, scale=1.0, rotation_deg=0.0, translation=0.5)  # a homography of random matches
LAYOUT_ALIKE = 0.9  # block share that two streets seen along the kerb reach


def test_structure_without_feature_support_in_good_light_is_not_enough():
    score = angle_score(MIN_INLIERS - 1, FAR_OFF, LAYOUT_ALIKE, features_fair=True)
    assert score < Thresholds().same_angle


def test_structure_counts_in_full_when_features_back_it():
    assert angle_score(TRUSTED_INLIERS, FAR_OFF, LAYOUT_ALIKE, features_fair=True) == (LAYOUT_ALIKE - 0.5) / 0.5


def test_structure_counts_in_full_at_night_with_fewer_matches():
    night = _features_fair(140.0, 25.0)
    score = angle_score(DARK_TRUSTED_INLIERS, FAR_OFF, LAYOUT_ALIKE, features_fair=night)
    assert DARK_TRUSTED_INLIERS < TRUSTED_INLIERS
    assert score == (LAYOUT_ALIKE - 0.5) / 0.5 >= Thresholds().same_angle


def test_structure_alone_at_night_is_not_enough():
    """Two different streets made dark: their layouts agree, no feature matches them."""
    assert angle_score(0, None, LAYOUT_ALIKE, features_fair=_features_fair(140.0, 25.0)) == 0.0


NEAR_IDENTITY = Viewpoint(shift=0.05, scale=1.0, rotation_deg=0.0, translation=0.03)


def test_a_guided_fit_needs_trusted_inliers_to_count_as_feature_evidence():
    """Guided matches sit near identity by construction: a handful of chance ones fit a homography close to it."""
    few = TRUSTED_INLIERS - 1
    assert angle_score(few, NEAR_IDENTITY, 0.0, features_fair=True) >= Thresholds().same_angle
    assert angle_score(few, NEAR_IDENTITY, 0.0, features_fair=True, guided=True) == 0.0
    assert angle_score(TRUSTED_INLIERS, NEAR_IDENTITY, 0.0, features_fair=True, guided=True) >= Thresholds().same_angle


def test_features_are_fair_only_in_good_and_even_light():
    assert _features_fair(140.0, 120.0)
    assert not _features_fair(140.0, DARK_LEVEL - 1)
    assert not _features_fair(DARK_LEVEL + 1 + DARK_GAP + 1, DARK_LEVEL + 1)
