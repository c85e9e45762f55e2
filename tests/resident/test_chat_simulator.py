"""`chengguan chat`, as a person without a WeChat account uses it: lines typed in, replies printed. The
whole screen is checked; only the port, the case number and the deadline (they depend on the run and on
today) are masked, and the note that the photo is still being received (it depends on the worker's pace)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.photos import photo_file

SCREEN = """正在启动本地服务…
已连接 http://127.0.0.1:PORT  (用户 o_chat_simulator)
输入文字直接发送; 收到可点选的消息时, 输入序号即点选。命令:
  /photo 文件路径        发送照片
  /loc 纬度 经度 [地址]  发送位置 (GCJ-02, 例如 /loc 39.9087 116.3975 天安门)
  /subscribe             关注公众号
  /menu                  显示公众号菜单; /menu 序号  点击菜单按钮
  /quit                  退出
你> 公众号> 感谢关注城市管理随手拍! 发现占道经营、暴露垃圾、违规广告等问题, 拍照发给我们即可上报。
城市管理随手拍 使用说明:
1. 拍照发送问题照片 (1-3张)
2. 发送位置 (点「+」→「位置」) 或输入地址
3. 用一句话描述问题, 确认类别后提交
回复「查询」查看您上报的案件, 「取消」放弃当前上报, 「帮助」查看本说明。
隐私告知: 我们收集您发送的照片、位置、问题描述和微信 openid, 仅用于处理城市管理问题。聊天消息保存30天; 照片在案件办结后保存365天; 您365天未发消息且没有处理中的案件时, openid 即删除, 案件去除身份后留作统计。回复「删除我的信息」可随时删除您的身份信息和照片。
你> 公众号> 已收到第1张照片。
请发送问题所在位置: 点击「+」→「位置」, 或直接输入详细地址。
你> 公众号> 已记录位置: 天安门东
请用一句话描述问题, 例如「路口有人占道经营」。
你> 公众号> 请选择问题类别, 回复序号 (或直接输入类别名称):
1. 街面秩序/占道经营
你> 公众号> 请核对后回复「确认」提交:
照片: 1张
位置: 天安门东
描述: 路边有人占道经营
类别: 街面秩序/占道经营
你> 公众号> 上报成功! 案件编号: NUMBER
类别: 街面秩序/占道经营
所属街道: 待分派
处理时限: DEADLINE 前
回复「查询 NUMBER」可查看进度。感谢您参与城市管理!
你> 公众号> 您最近上报的问题:
NUMBER 待受理 街面秩序/占道经营
回复「查询 案件编号」查看详情。
你> """


def test_chat_reports_a_problem_end_to_end(tmp_path) -> None:  # type: ignore[no-untyped-def]
    picture = photo_file(tmp_path, "chelsea")
    typed = "\n".join([
        "/subscribe", f"/photo {picture}", "/loc 39.9087 116.3975 天安门东", "路边有人占道经营", "1", "确认", "查询", "/quit",
    ]) + "\n"
    workdir = tmp_path / "work"
    workdir.mkdir()
    env = {**os.environ, "CHENGGUAN_DATA_DIR": str(tmp_path / "var"), "DATABASE_URL": ""}
    result = subprocess.run([sys.executable, "-m", "bot", "chat"], input=typed, capture_output=True, text=True,
                            timeout=300, cwd=workdir, env=env)
    assert result.returncode == 0, result.stderr
    number = re.search(r"案件编号: (\d+)", result.stdout)
    assert number, result.stdout
    screen = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", result.stdout).replace(number[1], "NUMBER")
    screen = re.sub(r"处理时限: \d{4}-\d\d-\d\d \d\d:\d\d 前", "处理时限: DEADLINE 前", screen)
    screen = screen.replace("照片: 1张 (1张仍在接收)", "照片: 1张")  # shown while the worker is still downloading it
    assert screen == SCREEN
    assert "Reply(" not in result.stdout
    # its files stay in the data dir: nothing lands in the working folder
    assert list(workdir.iterdir()) == []
    assert (tmp_path / "var" / "chat" / "chat-server.log").is_file()
    assert (tmp_path / "var" / "chat" / "chengguan.db").is_file()


def test_chat_gives_up_only_when_its_server_died_and_shows_why(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "CHENGGUAN_CONVERSATION_TIMEOUT_MINUTES": "soon"}  # the server cannot start with this
    result = subprocess.run([sys.executable, "-m", "bot", "chat", "--data-dir", str(tmp_path / "chat")], input="",
                            capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 1
    assert result.stderr.startswith("错误: 本地服务未能启动 (退出码 2), 日志 ")
    assert "CHENGGUAN_CONVERSATION_TIMEOUT_MINUTES" in result.stderr and "Traceback" not in result.stderr
