"""Edge-orientation agreement alone does not make two photos 'the same angle': two different spots that share
a layout (a street seen along the kerb) agree in structure too, by day and at night. It counts as far as
feature matches back it; where local features have a poorer chance (a dark photo, a large exposure gap)
fewer matches are asked for."""

from photocheck.angle import (DARK_GAP, DARK_LEVEL, DARK_TRUSTED_INLIERS, MIN_INLIERS, TRUSTED_INLIERS, Viewpoint,
                              _features_fair, angle_score, guided_chance_level)
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
WINDOW = 96.0  # guided window radius in pixels: 10 % of an 800 x 533 photo's diagonal


def test_a_guided_fit_counts_as_feature_evidence_only_above_its_chance_level():
    """Guided matches sit near identity by construction: a handful of chance ones fit a homography close to it."""
    level = guided_chance_level(50, WINDOW)
    assert angle_score(level - 1, NEAR_IDENTITY, 0.0, features_fair=True) >= Thresholds().same_angle
    assert angle_score(level - 1, NEAR_IDENTITY, 0.0, features_fair=True, feature_minimum=level) == 0.0
    assert angle_score(level, NEAR_IDENTITY, 0.0, features_fair=True, feature_minimum=level) >= Thresholds().same_angle


def test_the_chance_level_grows_with_the_guided_matches():
    """More matches in the windows, more chance inliers: a fixed count is too strict for a re-visit with few
    matches and too lenient for a pair with many."""
    levels = [guided_chance_level(n, WINDOW) for n in (20, 50, 100, 300)]
    assert levels == sorted(levels) and levels[0] < levels[-1]
    assert guided_chance_level(56, WINDOW) <= 11 < 12  # a real re-visit (MSLS, bicycle vs car): 11 of 56 fit
    assert guided_chance_level(300, WINDOW) > 12


def test_as_many_matches_in_a_wider_window_need_fewer_inliers():
    """A wrong match has more room to land away from the fit (a wider window mostly brings more matches)."""
    assert guided_chance_level(50, 2 * WINDOW) < guided_chance_level(50, WINDOW)


def test_the_chance_level_of_too_few_matches_is_out_of_reach():
    assert guided_chance_level(0, WINDOW) > 0
    assert guided_chance_level(5, WINDOW) > 5  # RANSAC fits no homography to five matches


def test_features_are_fair_only_in_good_and_even_light():
    assert _features_fair(140.0, 120.0)
    assert not _features_fair(140.0, DARK_LEVEL - 1)
    assert not _features_fair(DARK_LEVEL + 1 + DARK_GAP + 1, DARK_LEVEL + 1)
