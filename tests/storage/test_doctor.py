"""`chengguan doctor` against stand-ins on loopback: the photo store (both backends), WeChat and WeCom
credentials (right, wrong, unreachable) and the platform's services.json; one line per check, and
never a secret in any of them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.config import Config
from bot.doctor import Check, run_checks
from bot.simulator.api import FakeWeChatAPI
from tests.chat import mp_env
from tests.storage.conftest import S3_SECRET, s3_env
from tests.uplink.standin import StandIn

WRONG_SECRET = "wrong-secret-0123456789"


@pytest.fixture
def platform() -> Iterator[StandIn]:
    standin = StandIn().start()
    yield standin
    standin.stop()


def deployment(wechat_api: FakeWeChatAPI, database_url: str, tmp_path, **overrides: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {**mp_env(wechat_api, database_url, tmp_path / "data"), **overrides}


def checks(env: dict[str, str]) -> dict[str, Check]:
    return {check.name: check for check in run_checks(Config.from_env(env))}


def test_a_healthy_deployment_passes_every_check(wechat_api, platform, database_url, tmp_path, store_env) -> None:  # type: ignore[no-untyped-def]
    env = deployment(wechat_api, database_url, tmp_path, PLATFORM_OPEN311_URL=platform.url,
                     PLATFORM_API_KEY="standin-key", CHENGGUAN_PUBLIC_URL="https://cg.example.gov.cn", **store_env)
    result = CliRunner(env=env).invoke(cli, ["doctor"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    names = [line.split("] ", 1)[1].split(":", 1)[0] for line in lines]
    assert names == ["数据库", "数据库版本", "工作日历", "照片存储", "公众号接口", "企业微信接口", "城市平台"]
    by_name = dict(zip(names, lines))
    where = (f"{store_env['CHENGGUAN_PHOTO_STORE']}/ ({store_env['CHENGGUAN_S3_ENDPOINT']})" if store_env
             else str((tmp_path / "data" / "photos").resolve()))
    assert by_name["照片存储"] == f"[正常] 照片存储: {where} 可写入、读取、删除"
    assert by_name["公众号接口"] == f"[正常] 公众号接口: {wechat_api.base_url} 凭据有效"
    assert by_name["企业微信接口"] == f"[正常] 企业微信接口: {wechat_api.base_url} 凭据有效"
    assert by_name["城市平台"] == f"[正常] 城市平台: {platform.url} 可访问, services.json 有 2 个服务类别"
    assert not any(p.name.startswith("doctor-probe") for p in tmp_path.rglob("*"))  # the probe is gone again


def test_wrong_credentials_are_named_in_words_without_the_secret(wechat_api, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = deployment(wechat_api, database_url, tmp_path, WECHAT_APP_ID="wx-not-ours", WECOM_SECRET=WRONG_SECRET)
    found = checks(env)
    assert not found["公众号接口"].ok and "错误码 40013, AppID 无效: 核对 WECHAT_APP_ID" in found["公众号接口"].detail
    assert not found["企业微信接口"].ok and "错误码 40001, Secret 错误: 核对 WECOM_SECRET" in found["企业微信接口"].detail
    result = CliRunner(env=env).invoke(cli, ["doctor"])
    assert result.exit_code == 1 and WRONG_SECRET not in result.output and wechat_api.app_secret not in result.output


def test_unreachable_services_fail_their_line_only(wechat_api, platform, database_url, tmp_path, s3_endpoint, unused_port) -> None:  # type: ignore[no-untyped-def]
    down = f"http://127.0.0.1:{unused_port}"
    platform.stop()
    env = deployment(wechat_api, database_url, tmp_path, WECOM_API_BASE=down, PLATFORM_OPEN311_URL=platform.url,
                     PLATFORM_API_KEY="standin-key", CHENGGUAN_PUBLIC_URL="https://cg.example.gov.cn",
                     **s3_env(down, "photos"))
    found = checks(env)
    assert found["数据库"].ok and found["公众号接口"].ok
    assert not found["照片存储"].ok and "对象存储无法访问" in found["照片存储"].detail
    assert found["企业微信接口"].detail == f"{down} 无法访问 (ConnectError); 检查网络或 API 地址设置"
    assert not found["城市平台"].ok and "连不上平台" in found["城市平台"].detail
    assert all(S3_SECRET not in c.detail and wechat_api.corp_secret not in c.detail for c in found.values())


def test_unconfigured_channels_are_warnings_not_errors(database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    found = checks({"DATABASE_URL": database_url, "CHENGGUAN_DATA_DIR": str(tmp_path / "data")})
    assert (found["公众号接口"].ok, found["公众号接口"].fatal) == (False, False)
    assert found["照片存储"].ok and found["城市平台"].detail.startswith("未开启上报")
