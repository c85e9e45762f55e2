"""bench.photocheck.timing.sift_stage_costs: what each SIFT stage costs per photo (brief S7's measurement). Checks
that every stage is measured on the photo features.detect would see, not how fast it is (speed goes in bench/)."""

from bench.photocheck.timing import sift_stage_costs
from photocheck.features import detect, prepare
from tests.photos import photo


def test_every_stage_is_measured_on_the_keypoints_detect_finds() -> None:
    data = photo("motorcycle_left")
    costs = sift_stage_costs([data], repeats=1)
    assert costs["keypoints on the copy"] == len(detect(prepare(data).gray).points)
    stages = [name for name in costs if name != "keypoints on the copy"]
    assert len(stages) == 9 and all(costs[name] > 0 for name in stages)
