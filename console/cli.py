"""`chengguan console add-admin NAME` / `console set-password --staff ID`: local console sign-in."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # the rest loads inside the commands: `console --help` needs no SQLAlchemy or argon2
    from sqlalchemy.orm import Session


@click.group(help="网页控制台 (/console/): 管理员和审核员的登录账号")
def console_cli() -> None:
    pass


def _password() -> str:
    return click.prompt("密码 (至少10个字符)", hide_input=True, confirmation_prompt="再输入一次")


def _hashed(password: str) -> str:
    from console.passwords import WeakPassword, hash_password

    try:
        return hash_password(password)
    except WeakPassword as exc:
        raise click.ClickException(str(exc)) from None


def _check_login_free(session: Session, login: str, user_id: int | None) -> None:
    from sqlalchemy import select

    from models import User

    holder = session.scalars(select(User.id).where(User.login == login)).one_or_none()
    if holder is not None and holder != user_id:
        raise click.ClickException(f"用户名 {login} 已被人员 {holder} 使用, 请用 --login 换一个")


@console_cli.command("add-admin", help="新建一个以 NAME 登录控制台的管理员 (随后输入密码)")
@click.argument("name")
def add_admin(name: str) -> None:
    from bot.config import Config
    from bot.db import transaction
    from bot.service import Service
    from models import Role, User

    login = name.strip()[:64]
    if not login:
        raise click.ClickException("请给出用户名, 例如 `chengguan console add-admin zhangsan`")
    password_hash = _hashed(_password())
    with transaction(Service.build(Config.from_env()).sessions) as session:
        _check_login_free(session, login, None)
        user = User(name=login, role=Role.ADMIN, login=login, password_hash=password_hash)
        session.add(user)
        session.flush()
        staff_id = user.id
    click.echo(f"已添加管理员 {login} (人员 {staff_id}); 打开 /console/ 用此用户名和密码登录")


@console_cli.command("set-password", help="为已有的审核员或管理员设置控制台密码 (随后输入密码)")
@click.option("--staff", "staff_id", required=True, type=int, help="人员编号 (chengguan staff add 给出的编号)")
@click.option("--login", default="", help="登录名; 默认沿用原登录名, 没有则用人员姓名")
def set_password(staff_id: int, login: str) -> None:
    from bot.config import Config
    from bot.db import transaction
    from bot.service import Service
    from console.auth import CONSOLE_ROLES
    from models import User

    with transaction(Service.build(Config.from_env()).sessions) as session:
        user = session.get(User, staff_id)
        if user is None:
            raise click.ClickException(f"没有人员 {staff_id}; 用 `chengguan staff add` 添加")
        if user.role not in CONSOLE_ROLES:
            raise click.ClickException(f"{user.name} 是{user.role.label}; 控制台目前只对审核员和管理员开放")
        login = (login or user.login or user.name).strip()[:64]
        _check_login_free(session, login, user.id)
        user.login, user.password_hash = login, _hashed(_password())  # the new hash signs out old sessions
    click.echo(f"已设置 {user.name} 的控制台密码, 用户名 {login}")
