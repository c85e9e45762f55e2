"""What `pip install .` ships: every folder of Python code must be a package setuptools finds,
or a wheel silently leaves it out (as it once did with later migrations)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from setuptools import find_packages

REPO = Path(__file__).resolve().parent.parent


def test_every_code_folder_is_shipped() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    shipped = set(find_packages(where=str(REPO), include=include))
    roots = {pattern.rstrip("*") for pattern in include}
    code_folders = {
        ".".join(path.parent.relative_to(REPO).parts)
        for root in roots for path in (REPO / root).rglob("*.py") if "__pycache__" not in path.parts
    }
    assert code_folders - shipped == set(), "add an __init__.py so these folders are installed"


def test_data_files_are_declared() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["*"]
    for data in [*(REPO / "models" / "data").iterdir(), REPO / "migrations" / "script.py.mako"]:
        assert any(data.match(p) for p in patterns), f"{data.name} would be missing from a wheel"


def test_console_pages_are_declared() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["console"]
    for data in [*(REPO / "console" / "templates").iterdir(), *(REPO / "console" / "static").iterdir()]:
        relative = data.relative_to(REPO / "console").as_posix()
        assert any(Path(relative).match(p) for p in patterns), f"{relative} would be missing from a wheel"
