"""Click's own words (usage, option headings, its error messages) in Chinese, like the rest of the CLI.

Click passes these strings through gettext but ships no Chinese catalogue, and a catalogue would only be
used when the admin's locale asks for it. So the few strings an admin meets are translated here, in the
modules that look them up; anything not listed stays as click wrote it."""

from __future__ import annotations

import importlib
from collections.abc import Callable

import click

ZH = {
    "Usage:": "用法:",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "%(prog)s, version %(version)s": "%(prog)s 版本 %(version)s",
    "Error: {message}": "错误: {message}",
    "Try '{command} {option}' for help.": "用 '{command} {option}' 查看帮助。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing command.": "缺少命令。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效: {message}",
    "Invalid value: {message}": "值无效: {message}",
    "Aborted!": "已取消",
    "default: {default}": "默认: {default}",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 无法读取。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "integer": "整数",
    "float": "数字",
    "{value!r} is not one of {choices}.": "{value!r} 不是 {choices} 之一。",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}。",
    "Got unexpected extra argument ({args})": "多余的参数 ({args})",
    "Got unexpected extra arguments ({args})": "多余的参数 ({args})",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个值。",
}
CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui")


def _translate(message: str) -> str:
    return ZH.get(message, message)


def _translate_plural(singular: str, plural: str, n: int) -> str:
    return ZH.get(singular if n == 1 else plural, singular if n == 1 else plural)


def install(root: click.Command) -> None:
    """Idempotent: point click's message look-ups at the table above, and name the usage line's
    placeholders (constructor defaults, not looked up) in Chinese for ROOT and its subcommands."""
    if root.options_metavar == "[OPTIONS]":
        root.options_metavar = "[选项]"
    if isinstance(root, click.Group):
        if root.subcommand_metavar == "COMMAND [ARGS]...":
            root.subcommand_metavar = "命令 [参数]..."
        for command in root.commands.values():
            install(command)
    for name in CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        hooks: dict[str, Callable[..., str]] = {"_": _translate, "ngettext": _translate_plural}
        for attr, hook in hooks.items():
            if hasattr(module, attr):
                setattr(module, attr, hook)
