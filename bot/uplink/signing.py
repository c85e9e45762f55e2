"""The service's secret key: from CHENGGUAN_SECRET_KEY, or generated once and kept in the data dir,
so signed links stay valid across restarts and across processes sharing that folder."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from bot.config import Config, ConfigError
from bot.filemodes import private_folder

KEY_FILE = "secret_key"


def secret_key(config: Config) -> str:
    if config.platform.secret_key:
        return config.platform.secret_key
    path = config.data_dir / KEY_FILE
    try:
        return _read_or_create(path)
    except OSError as exc:
        raise ConfigError(
            f"无法在 {path} 保存签名密钥 ({exc.strerror}): "
            "请让 CHENGGUAN_DATA_DIR 可写, 或设置 CHENGGUAN_SECRET_KEY"
        ) from exc


def _read_or_create(path: Path) -> str:
    if path.exists():
        key = path.read_text().strip()
        if key:
            return key
    private_folder(path.parent)
    candidate = secrets.token_urlsafe(48)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(candidate)
    try:
        os.link(temp, path)  # atomic; the first process to create the file wins, others read its key
    except FileExistsError:
        pass
    finally:
        temp.unlink(missing_ok=True)
    return path.read_text().strip()
