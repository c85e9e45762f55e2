"""CHENGGUAN_PHOTOCHECK_THRESHOLDS: an override changes the verdict the officer gets; a bad one stops the
service at start with one line naming the fix, instead of failing every photo check in the worker."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.config import Config, ConfigError
from models import CaseStatus
from tests.chat import mp_env
from tests.staff.scenario import SAME_ANGLE, case, case_in_rectification, send_photo


def test_a_stricter_same_angle_threshold_refuses_a_photo_the_default_passes(  # type: ignore[no-untyped-def]
        mp_service, wechat_api, new_user, new_staff, run_worker, tmp_path) -> None:
    env = {**mp_env(wechat_api, mp_service.config.database_url, tmp_path / "data"),
           "CHENGGUAN_PHOTOCHECK_THRESHOLDS": '{"same_angle": 1.01}'}  # above any score (0..1)
    mp_service.config = Config.from_env(env)
    number, _, officer = case_in_rectification(mp_service, wechat_api, new_user, new_staff, run_worker)
    send_photo(officer, wechat_api, SAME_ANGLE)  # passes with the shipped thresholds (test_workflow)
    run_worker()
    verdict = wechat_api.wait_for_message(officer.openid, count=1)[-1]
    assert "未通过" in verdict and "角度不一致" in verdict
    assert case(mp_service, number).status == CaseStatus.RECTIFYING


@pytest.mark.parametrize(("value", "says"), [
    ('{"same_angel": 0.3}', "CHENGGUAN_PHOTOCHECK_THRESHOLDS: 没有阈值 same_angel; 可用: copy, "
                            "gps_max_distance_m, reuse_candidate_radius, reuse_hash_radius, same_angle, "
                            "screenshot_weight_fail, stale_tolerance_s"),
    ('{"copy": "high"}', 'CHENGGUAN_PHOTOCHECK_THRESHOLDS: copy 应为数字, 如 {"copy": 0.3}, 而不是 "high"'),
    ('{"copy": true}', 'CHENGGUAN_PHOTOCHECK_THRESHOLDS: copy 应为数字, 如 {"copy": 0.3}, 而不是 true'),
    ("[0.3]", 'CHENGGUAN_PHOTOCHECK_THRESHOLDS 应为 JSON 对象, 如 {"same_angle": 0.3}'),
    ("same_angle=0.3", 'CHENGGUAN_PHOTOCHECK_THRESHOLDS 应为 JSON 对象, 如 {"same_angle": 0.3} '
                       "(Expecting value)"),
])
def test_a_bad_override_is_a_config_error(value: str, says: str) -> None:
    with pytest.raises(ConfigError) as error:
        Config.from_env({"CHENGGUAN_PHOTOCHECK_THRESHOLDS": value})
    assert str(error.value) == says


def test_the_service_refuses_to_start_with_a_bad_override(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {"PATH": "/usr/bin:/bin", "CHENGGUAN_DATA_DIR": str(tmp_path),
           "CHENGGUAN_PHOTOCHECK_THRESHOLDS": '{"same_angel": 0.3}'}
    done = subprocess.run([sys.executable, "-m", "bot", "worker"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == ["配置错误: CHENGGUAN_PHOTOCHECK_THRESHOLDS: 没有阈值 same_angel; "
                                        "可用: copy, gps_max_distance_m, reuse_candidate_radius, reuse_hash_radius, "
                                        "same_angle, screenshot_weight_fail, stale_tolerance_s"]
