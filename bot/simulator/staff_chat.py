"""`chengguan chat --staff`: a reviewer's (or officer's) day in the WeCom app, from a terminal.

The local service gets a stand-in WeCom API; the terminal is a bound staff member in a small trial
district (bot.simulator.trial_district). Cards arrive with numbered buttons (`/tap N`), their changes
after a decision are shown, and two helpers play the others: `/report 照片` a resident's report,
`/fix 照片` the trial officer rectifying the dispatched case."""

from __future__ import annotations

import shlex
import threading
from pathlib import Path
from typing import Any

import click

from bot.simulator.api import FakeWeChatAPI, Pushed
from bot.simulator.trial_district import SPOT_GCJ
from bot.simulator.user import Reply, WeChatUser, WeComUser

STAFF_HELP = """输入文字直接发送 (例如「受理」「通过」「帮助」)。命令:
  /tap 序号 [卡片]       点击卡片按钮 (默认最后一张卡片; 卡片序号见 /cards)
  /cards                 列出收到的卡片
  /photo 文件路径        发送照片
  /report 照片 [描述]    让一位市民在试用街道上报问题 (约一分钟后审核员收到卡片)
  /fix 照片              让试用队员认领已派遣的案件并发送整改照片
  /quit                  退出"""


class CardDeck:
    """The cards shown so far, so `/tap N [K]` can name a button of one."""

    def __init__(self) -> None:
        self.cards: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def add(self, card: dict[str, Any]) -> int:
        with self.lock:
            self.cards.append(card)
            return len(self.cards)

    def button(self, args: list[str]) -> tuple[dict[str, Any], str] | str:
        """(card, key) for `/tap N [K]`, or what to type instead."""
        with self.lock:
            if not self.cards:
                return "还没有收到卡片。"
            if not args or not all(a.isdigit() for a in args) or len(args) > 2:
                return "用法: /tap 按钮序号 [卡片序号], 例如 /tap 1"
            card = self.cards[int(args[1]) - 1] if len(args) == 2 and 1 <= int(args[1]) <= len(self.cards) else None
            card = self.cards[-1] if len(args) == 1 else card
            if card is None:
                return f"卡片序号应在 1 至 {len(self.cards)} 之间。"
            buttons = card.get("button_list", [])
            if not 1 <= int(args[0]) <= len(buttons):
                return f"这张卡片的按钮序号应在 1 至 {len(buttons)} 之间。"
            return card, buttons[int(args[0]) - 1]["key"]


def format_card(number: int, push: Pushed) -> str:
    card = push.raw.get("template_card", {})
    buttons = "  ".join(f"{i}.{b.get('text', '')}" for i, b in enumerate(card.get("button_list", []), 1))
    body = "\n".join(f"  {line}" for line in push.text.splitlines()[:-1])  # its last line: the buttons
    return f"[卡片 {number}]\n{body}\n  按钮: {buttons}  (输入 /tap 序号{'' if number < 0 else f' {number}'})"


class StaffTerminal:
    def __init__(self, api: FakeWeChatAPI, member: WeComUser, officer: WeComUser, resident: WeChatUser) -> None:
        self.api, self.member, self.officer, self.resident = api, member, officer, resident
        self.deck = CardDeck()

    def send(self, line: str) -> Reply | str | None:
        """A typed line: its reply (Reply), a message for the terminal (str), or None."""
        if not line.startswith("/"):
            return self.member.send_text(line)
        command, *args = shlex.split(line)
        if command == "/tap":
            chosen = self.deck.button(args)
            if isinstance(chosen, str):
                return chosen
            card, key = chosen
            return self.member.tap_card(card["task_id"], key, self.api.cards.tap_code(card["task_id"]))
        if command == "/cards":
            return "\n".join(f"{i}. {c['main_title']['title']} {c['main_title'].get('desc', '')}"
                             for i, c in enumerate(self.deck.cards, 1)) or "还没有收到卡片。"
        if command == "/photo" and len(args) == 1:
            return self.member.send_image(*self.api.add_media(Path(args[0]).expanduser().read_bytes()))
        if command == "/report" and args:
            return self._report(Path(args[0]).expanduser().read_bytes(), " ".join(args[1:]) or "路边有暴露垃圾")
        if command == "/fix" and len(args) == 1:
            self.officer.send_text("整改")
            reply = self.officer.send_image(*self.api.add_media(Path(args[0]).expanduser().read_bytes()))
            return f"试用队员: {reply.text}"
        return STAFF_HELP

    def _report(self, photo: bytes, description: str) -> str:
        self.resident.send_image(*self.api.add_media(photo))
        self.resident.send_location(SPOT_GCJ.lat, SPOT_GCJ.lon, "试用街道")
        self.resident.send_text(description)
        self.resident.send_text("1")
        done = self.resident.send_text("确认").text or ""
        return f"市民: {done.splitlines()[0] if done else '(无回复)'}"

    def pushes(self, shown: int, seen_updates: dict[str, str]) -> tuple[list[str], int]:
        """What arrived since `shown` (messages and cards), and card changes not shown yet."""
        lines = []
        pushes = self.api.pushed_to(self.member.openid)
        for push in pushes[shown:]:
            if push.kind == "template_card":
                lines.append(format_card(self.deck.add(push.raw["template_card"]), push))
            else:
                lines.append(f"[应用消息] {push.text}")
        for number, card in enumerate(list(self.deck.cards), 1):
            now = self.api.cards.cards.get(card["task_id"])
            change = now.shown.get(self.member.openid, "") if now else ""
            if change and seen_updates.get(card["task_id"]) != change:
                seen_updates[card["task_id"]] = change
                lines.append(f"[卡片 {number} 已更新] 按钮变为「{change}」")
        return lines, len(pushes)


def show_pushes(terminal: StaffTerminal, stop: threading.Event) -> None:
    shown, seen = 0, {}
    while not stop.is_set():
        lines, shown = terminal.pushes(shown, seen)
        for line in lines:
            click.echo("\n" + line)
        stop.wait(0.3)


def repl(terminal: StaffTerminal) -> None:
    while True:
        try:
            line = input("你> ").strip()
        except EOFError:
            return
        if line == "/quit":
            return
        if not line:
            continue
        try:
            reply = terminal.send(line)
        except (OSError, ValueError) as exc:
            click.echo(f"发送失败: {exc}")
            continue
        if isinstance(reply, str):
            click.echo(reply)
        elif reply is not None and reply.status != 200:
            click.echo(f"服务器拒绝 (HTTP {reply.status})")
        elif reply is not None and reply.text:
            click.echo(f"企业微信> {reply.text}")


WECOM_TOKEN, WECOM_AES_KEY = "chat-wecom-token", "chatsimulatorwecomaeskey0123456789abcdefghi"  # 43 characters


def wecom_env(api: FakeWeChatAPI) -> dict[str, str]:
    """The local service's WeCom settings, pointed at the stand-in."""
    return {"WECOM_CORP_ID": api.corp_id, "WECOM_SECRET": api.corp_secret, "WECOM_AGENT_ID": api.agent_id,
            "WECOM_TOKEN": WECOM_TOKEN, "WECOM_ENCODING_AES_KEY": WECOM_AES_KEY, "WECOM_API_BASE": api.base_url}


def run_staff(api: FakeWeChatAPI, url: str, env: dict[str, str], role: str, wechat_token: str) -> None:
    from bot.config import Config
    from bot.service import Service
    from bot.simulator.trial_district import seed_trial
    from models import Role

    service = Service.build(Config.from_env(env))
    me = f"trial_{role}"
    members = {me: Role(role), "trial_officer": Role.OFFICER}
    codes = seed_trial(service.sessions, members)
    service.engine.dispose()

    def staff(userid: str) -> WeComUser:
        return WeComUser(url, WECOM_TOKEN, WECOM_AES_KEY, api.corp_id, userid, agent_id=api.agent_id)

    member, officer = staff(me), staff("trial_officer")
    for userid, code in codes.items():
        (member if userid == me else officer).send_text(f"绑定 {code}")
    resident = WeChatUser(url, wechat_token, "o_trial_resident", on_send=api.user_wrote)
    terminal = StaffTerminal(api, member, officer, resident)
    stop = threading.Event()
    threading.Thread(target=show_pushes, args=(terminal, stop), daemon=True).start()
    click.echo(f"已连接 {url}  (企业微信成员 {me}, 试用街道)\n{STAFF_HELP}")
    try:
        repl(terminal)
    finally:
        stop.set()
