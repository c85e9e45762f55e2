"""`chengguan wechat`: the Official Account's own settings, pushed through its API."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.group(help="公众号设置 (菜单)")
def wechat_cli() -> None:
    pass


@wechat_cli.group("menu", help="公众号菜单")
def menu_cli() -> None:
    pass


@menu_cli.command("push", help="按数据文件创建公众号菜单 (会替换公众号现有的菜单)")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="菜单 JSON 文件; 默认为随软件提供的 随手拍 / 我的案件 / 帮助")
def push_command(path: Path | None) -> None:
    from bot import outbound
    from bot.config import Config
    from bot.wechat_menu import MenuError, load_menu

    try:
        menu = load_menu(path)
    except MenuError as exc:
        raise click.ClickException(str(exc)) from None
    config = Config.from_env()
    if not (config.wechat.app_id and config.wechat.app_secret):
        raise click.ClickException("请先设置 WECHAT_APP_ID 和 WECHAT_APP_SECRET")
    outbound.official_account(config.wechat).menu.create(menu)
    names = [b["name"] + (f" ({'、'.join(s['name'] for s in b['sub_button'])})" if b.get("sub_button") else "")
             for b in menu["button"]]
    click.echo("公众号菜单已更新: " + " | ".join(names))


@menu_cli.command("show", help="显示将要推送的菜单数据")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="菜单 JSON 文件")
def show_command(path: Path | None) -> None:
    from bot.wechat_menu import MenuError, load_menu

    try:
        click.echo(json.dumps(load_menu(path), ensure_ascii=False, indent=2))
    except MenuError as exc:
        raise click.ClickException(str(exc)) from None
