"""Deliberate one-line bugs the suite must catch: `python -m tests.mutations [NAME…] [--list]`.

Each mutant is applied alone to a fresh temporary copy of the tree (the files git knows plus untracked,
not ignored ones: the working tree itself is never edited), then its named tests run there. A mutant
"survives" when those tests still pass; the exit status is 1 if any survives, 2 if the unmutated copy
already fails the named tests (then a "caught" mutant would mean nothing). Run from the repository
root, in the project's environment. Add a mutant by adding a `Mutant` to MUTANTS: the original text
must occur exactly once in its file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutant:
    name: str
    why: str  # the bug it stands for
    path: str  # relative to the repository root
    original: str
    mutated: str
    tests: tuple[str, ...]  # pytest node ids or paths, relative to the repository root


MUTANTS: tuple[Mutant, ...] = (
    Mutant(
        "geo-border-beats-inside", "a point inside one street but on another's border goes to the smaller id",
        "models/geo.py", "candidates = inside or hits", "candidates = hits",
        ("tests/test_geo.py",),
    ),
    Mutant(
        "open311-revoked-key", "our GeoReport server accepts a revoked API key",
        "bot/open311/keys.py", "if found is None or not found.active:", "if found is None:",
        ("tests/open311/test_server.py",),
    ),
    Mutant(
        "wecom-agentid-zero", "WeCom app messages are sent with agentid 0",
        "bot/outbound.py", "message.send_text(config.wecom.agent_id, to, text)", 'message.send_text("0", to, text)',
        ("tests/test_outbound.py", "tests/staff/test_workflow.py"),
    ),
    Mutant(
        "open311-update-without-key", "status updates are posted to the platform without api_key",
        "bot/uplink/client.py", 'data={**self._credentials(), **fields})\n\n    # --- plumbing',
        'data={**self._jurisdiction(), **fields})\n\n    # --- plumbing',
        ("tests/uplink/test_open311_delivery.py",),
    ),
    Mutant(
        "photocheck-same-angle-strict", "the same-angle threshold moved up: genuine re-shots are refused",
        "photocheck/thresholds.py", "same_angle: float = 0.219", "same_angle: float = 0.85",
        ("tests/photocheck/test_pairs.py",),
    ),
    Mutant(
        "photocheck-same-angle-lax", "the same-angle threshold moved down: other viewpoints pass",
        "photocheck/thresholds.py", "same_angle: float = 0.219", "same_angle: float = 0.08",
        ("tests/photocheck/test_pairs.py",),
    ),
    Mutant(
        "photocheck-copy-lax", "the copy threshold moved down: separate shots are called copies",
        "photocheck/thresholds.py", "copy: float = 0.610", "copy: float = 0.45",
        ("tests/photocheck/test_pairs.py",),
    ),
    Mutant(
        "photocheck-copy-strict", "the copy threshold moved up: sharpened copies pass as new photos",
        "photocheck/thresholds.py", "copy: float = 0.610", "copy: float = 0.9",
        ("tests/photocheck/test_pairs.py",),
    ),
    Mutant(
        "forget-keeps-done-job-payloads", "「删除我的信息」 scrubs only unsent jobs: sent messages keep the openid",
        "bot/privacy/forget.py", "session.execute(update(OutboxJob).where(to_them, ~running_photo_job)",
        "session.execute(update(OutboxJob).where(to_them, ~running_photo_job, unsent)",
        ("tests/privacy/test_forget_me.py::test_deleting_my_information",),
    ),
    Mutant(
        "retention-shared-file-deleted", "an erased photo's file is deleted though a kept photo has the same content",
        "bot/privacy/erase.py", "        if relative in still_used:\n            continue\n", "",
        ("tests/privacy/test_retention.py",),
    ),
    Mutant(
        "cards-minute-window", "the per-member pacing counts only the current slot: bursts exceed 30 a minute",
        "bot/tasks/wecom_pace.py", "for i in range(index, index - 7, -1)]", "for i in range(index, index - 1, -1)]",
        ("tests/cards/test_member_limits.py",),
    ),
    Mutant(
        "cards-tap-skips-scope", "a tap on a card skips the street check of the typed command",
        "handlers/staff_reasons.py", "    case = case_in_scope(ctx, number, command)\n    ctx.conversation.start",
        "    from handlers.cases import case_for_update\n    case = case_for_update(ctx.session, number)\n    ctx.conversation.start",
        ("tests/cards/test_card_lifecycle.py",),
    ),
    Mutant(
        "cards-not-settled", "a decision leaves the other copies of its card with live buttons",
        "bot/cards/queue.py", "    event.listen(sessions, \"before_flush\", _settle_decided)", "    pass",
        ("tests/cards/test_card_lifecycle.py",),
    ),
    Mutant(
        "console-wecom-state-unchecked", "a WeCom sign-in callback is accepted without this browser's state",
        "console/wecom_login.py", "if not isinstance(expected, str) or not secrets.compare_digest(expected, given[:64]):",
        "if False:",
        ("tests/console/test_wecom_login.py",),
    ),
    Mutant(
        "console-map-unscoped", "the map's data shows every street's open cases to a street's reviewer",
        "console/mapdata.py", "select(Case).where(scope_clause(user), ", "select(Case).where(",
        ("tests/console/test_map.py",),
    ),
    Mutant(
        "assessment-suspend-ignored", "approved 挂起 requests are not counted in the monthly assessment",
        "bot/assessment/facts.py", 'ACTIONS = ("verify", "return", "suspend", "suspend_approved")',
        'ACTIONS = ("verify", "return", "suspend")',
        ("tests/staff/test_suspension.py",),
    ),
    Mutant(
        "open311-public-unredacted", "public readers get cases as stored: phones, exact places",
        "bot/open311/serialize.py", "return items if audience == PRIVATE else", "return items if True else",
        ("tests/privacy_public/test_public_read.py",),
    ),
    Mutant(
        "open311-reads-open", "service requests are read without a key outside public mode",
        "bot/open311/readers.py", "        if limits.public_read:", "        if True:",
        ("tests/privacy_public/test_public_read.py",),
    ),
    Mutant(
        "redaction-no-blur", "the redacted copy keeps the faces and plates",
        "bot/redaction/image.py", "    for box in regions:\n        _obscure(pixels, box)", "    for box in regions[:0]:\n        _obscure(pixels, box)",
        ("tests/privacy_public/test_public_read.py",),
    ),
    Mutant(
        "reject-reason-public", "the reviewer's internal reason is sent to the resident",
        "bot/reactions.py", "reason=public_reply(event) if kind", "reason=event.note if kind",
        ("tests/privacy_public/test_internal_notes.py",),
    ),
)


def tracked_files(root: Path) -> list[str]:
    listing = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=root, capture_output=True, check=True,
    )
    return [name for name in listing.stdout.decode().split("\0") if name and (root / name).is_file()]


def copy_tree(root: Path, into: Path) -> None:
    for name in tracked_files(root):
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, target)


def apply(mutant: Mutant, tree: Path) -> None:
    path = tree / mutant.path
    source = path.read_text(encoding="utf-8")
    found = source.count(mutant.original)
    if found != 1:
        raise SystemExit(f"{mutant.name}: {mutant.original!r} occurs {found} times in {mutant.path}, expected once")
    path.write_text(source.replace(mutant.original, mutant.mutated), encoding="utf-8")


def run_tests(tree: Path, tests: Sequence[str]) -> subprocess.CompletedProcess[str]:
    # The copy comes first on sys.path (pytest's rootdir and PYTHONPATH), ahead of an editable install.
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-o", "addopts=", *tests]
    return subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, timeout=1800)


def imports_from(tree: Path, module: str) -> Path:
    probe = subprocess.run([sys.executable, "-c", f"import {module}; print({module}.__file__)"],
                           cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)},
                           capture_output=True, text=True, check=True)
    return Path(probe.stdout.strip()).resolve()


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = (result.stdout.strip() or result.stderr.strip() or "(no output)").splitlines()
    return lines[-1]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mutations", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="mutants to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the mutants and their tests, run nothing")
    args = parser.parse_args(argv)
    unknown = set(args.names) - {m.name for m in MUTANTS}
    if unknown:
        parser.error(f"unknown mutant(s): {', '.join(sorted(unknown))}")
    chosen = [m for m in MUTANTS if not args.names or m.name in args.names]
    if args.list:
        for m in chosen:
            print(f"{m.name}\t{m.path}\t{' '.join(m.tests)}\t{m.why}")
        return 0

    with tempfile.TemporaryDirectory(prefix="mutations-") as scratch:
        baseline = Path(scratch) / "baseline"
        copy_tree(REPO, baseline)
        module = chosen[0].path.removesuffix(".py").replace("/", ".")
        if not imports_from(baseline, module).is_relative_to(baseline.resolve()):
            print(f"the copy's {module} is not the one imported; run from a normal checkout", file=sys.stderr)
            return 2
        tests = sorted({t for m in chosen for t in m.tests})
        control = run_tests(baseline, tests)
        if control.returncode != 0:
            print(f"unmutated tree fails its tests: {last_line(control)}\n{control.stdout[-3000:]}", file=sys.stderr)
            return 2
        survivors = []
        for m in chosen:
            tree = Path(scratch) / m.name
            copy_tree(REPO, tree)
            apply(m, tree)
            result = run_tests(tree, m.tests)
            caught = result.returncode != 0
            print(f"{'caught  ' if caught else 'SURVIVED'} {m.name}: {m.why} -- {last_line(result)}", flush=True)
            if not caught:
                survivors.append(m.name)
            shutil.rmtree(tree)
    print(f"{len(chosen) - len(survivors)} of {len(chosen)} mutants caught"
          + (f"; survived: {', '.join(survivors)}" if survivors else ""))
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
