"""`chengguan chat`: talk to the service as a WeChat resident from a terminal.

Without --url it starts everything itself on loopback: a stand-in WeChat API (which hosts your photos
and shows the messages the service pushes) and a `chengguan serve` on the embedded default.
"""

from __future__ import annotations

import shlex
import threading
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # the simulator loads when `chengguan chat` runs, not for `chengguan --help`
    from bot.simulator.api import FakeWeChatAPI, Pushed
    from bot.simulator.user import WeChatUser

HELP = """输入文字直接发送; 收到可点选的消息时, 输入序号即点选。命令:
  /photo 文件路径        发送照片
  /loc 纬度 经度 [地址]  发送位置 (GCJ-02, 例如 /loc 39.9087 116.3975 天安门)
  /subscribe             关注公众号
  /menu                  显示公众号菜单; /menu 序号  点击菜单按钮
  /quit                  退出"""
TOKEN = "chat-simulator-token"


@click.command("chat", help="在终端里以公众号市民的身份与服务对话 (经 HTTP 发送真实签名的 XML)。")
@click.option("--url", help="已运行的服务地址; 不填: 在本机启动一个 (数据放在 --data-dir)")
@click.option("--token", default=TOKEN, show_default=True, help="该服务的 WECHAT_TOKEN (与 --url 一起用)")
@click.option("--openid", default="o_chat_simulator", show_default=True, help="模拟市民的 openid")
@click.option("--data-dir", type=click.Path(path_type=Path),
              help="本地服务的数据、日志放在这里; 默认: 数据目录 (CHENGGUAN_DATA_DIR, 默认 ./var) 下的 chat/")
@click.option("--staff", is_flag=True, help="以企业微信工作人员身份 (卡片带编号按钮, /tap 点击); 需本地服务")
@click.option("--role", type=click.Choice(["reviewer", "officer"]), default="reviewer", show_default=True,
              help="--staff 时的身份")
def chat_command(url: str | None, token: str, openid: str, data_dir: Path | None, staff: bool, role: str) -> None:
    from bot.config import Config
    from bot.simulator.api import FakeWeChatAPI, running_api
    from bot.simulator.server import ServerDied, running_server
    from bot.simulator.staff_chat import run_staff, wecom_env
    from bot.simulator.user import WeChatUser

    if staff and url is not None:
        raise click.UsageError("--staff 需要本地服务 (它建立试用街道和人员), 请去掉 --url")
    with ExitStack() as stack:
        api = stack.enter_context(running_api(FakeWeChatAPI()))
        if url is None:
            home = (data_dir or Config.from_env().data_dir / "chat").resolve()
            home.mkdir(parents=True, exist_ok=True)
            env = {
                "CHENGGUAN_DATA_DIR": str(home), "DATABASE_URL": "", "WECHAT_TOKEN": token,
                "WECHAT_APP_ID": api.app_id, "WECHAT_APP_SECRET": api.app_secret, "WECHAT_API_BASE": api.base_url,
                "WECHAT_ENCODING_AES_KEY": "", "CHENGGUAN_PHOTO_HOSTS": api.base_url.removeprefix("http://"),
                **(wecom_env(api) if staff else {}),
            }
            click.echo("正在启动本地服务…")
            try:
                # no time limit: on a busy machine the first start can be slow; only its death ends the wait
                url = stack.enter_context(running_server(env, home / "chat-server.log", timeout=None))
            except ServerDied as exc:
                raise click.ClickException(f"本地服务未能启动 (退出码 {exc.code}), 日志 {exc.log_path} 的最后几行:\n"
                                           f"{exc.tail}") from None
        else:
            click.echo(f"推送消息只在服务端设置 WECHAT_API_BASE={api.base_url} "
                       f"CHENGGUAN_PHOTO_HOSTS={api.base_url.removeprefix('http://')} "
                       f"WECHAT_APP_ID={api.app_id} WECHAT_APP_SECRET={api.app_secret} 时显示")
        if staff:
            return run_staff(api, url, env, role, token)
        user = WeChatUser(url, token, openid, on_send=api.user_wrote)
        stop, menus = threading.Event(), Menus()
        threading.Thread(target=_show_pushes, args=(api, openid, stop, menus), daemon=True).start()
        click.echo(f"已连接 {url}  (用户 {openid})\n{HELP}")
        try:
            _repl(user, api, menus)
        finally:
            stop.set()


class Menus:
    """The last tappable message (msgmenu) shown: typing one of its numbers taps that choice."""

    def __init__(self) -> None:
        self.choices: list[dict[str, str]] = []
        self.lock = threading.Lock()

    def show(self, menu: dict[str, Any]) -> None:
        with self.lock:
            self.choices = [item for item in menu.get("list", []) if isinstance(item, dict)]

    def take(self, line: str) -> dict[str, str] | None:
        with self.lock:
            if line.isdigit() and 1 <= int(line) <= len(self.choices):
                choice, self.choices = self.choices[int(line) - 1], []
                return choice
        return None


LABELS = {"text": "客服消息", "msgmenu": "客服消息", "bizsend": "订阅通知", "template": "模板消息"}


def format_push(push: Pushed) -> str:
    """A pushed message as the terminal shows it; msgmenu choices numbered, to be typed."""
    if push.kind == "msgmenu":
        menu = push.raw.get("msgmenu", {})
        choices = [f"  {i}. {item.get('content', '')}" for i, item in enumerate(menu.get("list", []), 1)]
        lines = [menu.get("head_content", ""), *choices, menu.get("tail_content", ""), "(输入序号点选)"]
        return f"[{LABELS['msgmenu']}] " + "\n".join(filter(None, lines))
    return f"[{LABELS.get(push.kind, push.kind)}] {push.text}"


def _repl(user: WeChatUser, api: FakeWeChatAPI, menus: Menus) -> None:
    while True:
        try:
            line = input("你> ").strip()
        except EOFError:
            return
        if not line:
            continue
        if line == "/quit":
            return
        try:
            choice = menus.take(line)
            reply = user.tap_menu(choice["id"], choice["content"]) if choice else _send(user, api, line)
        except (OSError, ValueError) as exc:
            click.echo(f"发送失败: {exc}")
            continue
        if reply is None:
            continue
        if reply.status != 200:
            click.echo(f"服务器拒绝 (HTTP {reply.status})")
        elif reply.text:  # an empty ("success") reply shows nothing in WeChat either
            click.echo(f"公众号> {reply.text}")


def _send(user: WeChatUser, api: FakeWeChatAPI, line: str):  # type: ignore[no-untyped-def]
    if not line.startswith("/"):
        return user.send_text(line)
    command, *args = shlex.split(line)
    if command == "/photo" and len(args) == 1:
        return user.send_image(*api.add_media(Path(args[0]).expanduser().read_bytes()))
    if command == "/loc" and len(args) >= 2:
        return user.send_location(float(args[0]), float(args[1]), " ".join(args[2:]))
    if command == "/subscribe":
        return user.send_event("subscribe")
    if command == "/menu":
        return _menu(user, args)
    click.echo(HELP)
    return None


def menu_buttons() -> list[tuple[str, dict[str, Any]]]:
    """The Official Account menu's buttons as a user can tap them: (label, button), sub-buttons flattened."""
    buttons: list[tuple[str, dict[str, Any]]] = []
    from bot.wechat_menu import load_menu

    for button in load_menu()["button"]:
        subs = button.get("sub_button") or []
        buttons += [(f"{button['name']} › {sub['name']}", sub) for sub in subs] or [(button["name"], button)]
    return buttons


def _menu(user: WeChatUser, args: list[str]):  # type: ignore[no-untyped-def]
    buttons = menu_buttons()
    if not args:
        click.echo("公众号菜单 (/menu 序号 点击):\n" + "\n".join(f"  {n}. {label}" for n, (label, _) in
                                                         enumerate(buttons, start=1)))
        return None
    if not args[0].isdigit() or not 1 <= int(args[0]) <= len(buttons):
        click.echo(f"请输入 1 至 {len(buttons)} 之间的序号, 例如 /menu 1")
        return None
    label, button = buttons[int(args[0]) - 1]
    if button["type"] == "click":
        return user.send_event("CLICK", button["key"])
    if button["type"] == "location_select":
        click.echo(f"「{label}」在微信里弹出位置选择; 这里请用 /loc 纬度 经度 [地址] 发送位置")
    elif button["type"] == "view":
        click.echo(f"「{label}」打开网页 {button['url']}")
    return None


def _show_pushes(api: FakeWeChatAPI, openid: str, stop: threading.Event, menus: Menus) -> None:
    shown = 0
    while not stop.is_set():
        pushes = api.pushed_to(openid)
        for push in pushes[shown:]:
            if push.kind == "msgmenu":
                menus.show(push.raw.get("msgmenu", {}))
            click.echo("\n" + format_push(push))
        shown = len(pushes)
        stop.wait(0.3)
