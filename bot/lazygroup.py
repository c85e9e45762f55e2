"""A click group whose subcommands live in other modules and are imported on first use.

Click's documented "lazily loading subcommands" pattern, plus one addition: the group's own --help
lists each unloaded subcommand with a one-line help given here, so `chengguan --help` imports none
of them (together they pull in SQLAlchemy, Flask, wechatpy, argon2 and numpy: over a second of CPU).
tests/test_cli_start.py checks that these lines equal the subcommands' own help."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

import click


@dataclass(frozen=True)
class LazyCommand:
    target: str  # "package.module:attribute"
    help: str  # the command's own help text, shown in the group's listing before it is loaded

    def load(self) -> click.Command:
        module_name, attribute = self.target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.target} is not a click command")
        return command


class LazyGroup(click.Group):
    def __init__(self, *args, lazy_commands: dict[str, LazyCommand] | None = None,  # type: ignore[no-untyped-def]
                 on_load: Callable[[click.Command], None] = lambda command: None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})
        self.on_load = on_load

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            self.load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def load(self, name: str) -> click.Command:
        command = self.lazy_commands[name].load()
        self.on_load(command)
        self.add_command(command, name)
        return command

    def load_all(self) -> None:
        for name in self.lazy_commands:
            if name not in self.commands:
                self.load(name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click's own listing, but an unloaded subcommand is shown from its LazyCommand.help."""
        shown: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            command = self.commands.get(name) or click.Command(name, help=self.lazy_commands[name].help)
            if not command.hidden:
                shown.append((name, command))
        if not shown:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in shown)
        with formatter.section(click.core._("Commands")):  # looked up at call time: bot.clitext translates it
            formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in shown])
