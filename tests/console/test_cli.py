"""`chengguan console add-admin` and `console set-password`: the first admin, and reviewers' passwords."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select

from bot.app import create_app
from bot.db import transaction
from console.cli import console_cli
from models import Role, User
from tests.console.helpers import sign_in
from tests.factories import make_user


def test_first_admin_then_a_reviewer_sign_in(database_url, tmp_path, service) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner(env={"DATABASE_URL": database_url, "CHENGGUAN_DATA_DIR": str(service.config.data_dir)})
    added = runner.invoke(console_cli, ["add-admin", "zhangsan"], input="long-enough-pw\nlong-enough-pw\n")
    assert added.exit_code == 0 and "已添加管理员 zhangsan" in added.output
    assert "long-enough-pw" not in added.output
    again = runner.invoke(console_cli, ["add-admin", "zhangsan"], input="long-enough-pw\nlong-enough-pw\n")
    assert again.exit_code != 0 and "已被" in again.output
    short = runner.invoke(console_cli, ["add-admin", "lisi"], input="short\nshort\n")
    assert short.exit_code != 0 and "至少10个字符" in short.output.replace(" ", "")

    with transaction(service.sessions) as s:
        reviewer = make_user(s, Role.REVIEWER, "王五").id
        officer = make_user(s, Role.OFFICER, "赵六").id
    assert runner.invoke(console_cli, ["set-password", "--staff", str(reviewer), "--login", "wangwu"],
                         input="another-long-pw\nanother-long-pw\n").exit_code == 0
    refused = runner.invoke(console_cli, ["set-password", "--staff", str(officer)], input="another-long-pw\nanother-long-pw\n")
    assert refused.exit_code != 0 and "只对审核员和管理员开放" in refused.output
    assert runner.invoke(console_cli, ["set-password", "--staff", "999999"]).exit_code != 0

    with service.sessions() as s:
        admin = s.scalars(select(User).where(User.login == "zhangsan")).one()
        assert admin.role == Role.ADMIN and admin.password_hash.startswith("$argon2id$")
    app = create_app(service=service)
    assert sign_in(app.test_client(), "zhangsan", "long-enough-pw").status_code == 302
    assert sign_in(app.test_client(), "wangwu", "another-long-pw").status_code == 302
