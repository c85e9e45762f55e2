"""Secrets at rest and on the screen: a bad DATABASE_URL never prints its password, and the
embedded default's database, photos and signing key are readable by the service's user only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bot.config import Config, ConfigError
from bot.migrate import upgrade
from bot.photostore import save, store_for
from bot.service import Service
from bot.uplink.signing import secret_key
from models.base import utcnow
from tests.test_service import run_cli

PASSWORD = "s3cr3t-Pa55"


@pytest.mark.parametrize("url", [
    f"postgress://admin:{PASSWORD}@db.internal/cg",
    f"mysql+pymysql://admin:{PASSWORD}@db.internal/cg",
    f"postgresql://admin:{PASSWORD}@db.internal:notaport/cg",
    f"postgresql://admin:{PASSWORD}@db.internal:99999999/cg",
])
def test_a_bad_database_url_names_the_variable_and_masks_the_password(url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as caught:
        Config.from_env({"DATABASE_URL": url, "CHENGGUAN_DATA_DIR": str(tmp_path)})
    assert "DATABASE_URL" in str(caught.value) and PASSWORD not in str(caught.value)
    assert "admin:***@db.internal" in str(caught.value)


def test_the_cli_line_for_a_misspelled_scheme_has_no_password(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("db", "upgrade", env={"CHENGGUAN_DATA_DIR": str(tmp_path),
                                           "DATABASE_URL": f"postgress://admin:{PASSWORD}@db/cg"})
    assert result.returncode == 2 and "DATABASE_URL" in result.stderr
    assert PASSWORD not in result.stderr + result.stdout


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_embedded_default_is_private_to_the_service_user(tmp_path) -> None:  # type: ignore[no-untyped-def]
    old = os.umask(0o022)  # the usual umask, which made everything world-readable
    try:
        config = Config.from_env({"CHENGGUAN_DATA_DIR": str(tmp_path / "var"), "DATABASE_URL": ""})
        service = Service.build(config)
        upgrade(config.database_url)
        with service.engine.begin() as connection:
            connection.exec_driver_sql("SELECT 1")
        relative, _ = save(store_for(config), b"\xff\xd8jpeg", utcnow())
        secret_key(config)
        service.engine.dispose()
    finally:
        os.umask(old)
    data = tmp_path / "var"
    assert (mode(data), mode(config.photo_dir)) == (0o700, 0o700)
    assert mode(data / "chengguan.db") == 0o600 and mode(data / "secret_key") == 0o600
    assert mode(config.photo_dir / relative) == 0o600
    assert all(mode(p) & 0o077 == 0 for p in data.rglob("*") if p.is_file())


def test_an_existing_world_readable_data_dir_is_tightened(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "var"
    (data / "photos").mkdir(parents=True, mode=0o755)
    data.chmod(0o755)
    (data / "chengguan.db").write_bytes(b"")
    (data / "chengguan.db").chmod(0o644)
    Service.build(Config.from_env({"CHENGGUAN_DATA_DIR": str(data), "DATABASE_URL": ""})).engine.dispose()
    assert (mode(data), mode(data / "photos"), mode(data / "chengguan.db")) == (0o700, 0o700, 0o600)
