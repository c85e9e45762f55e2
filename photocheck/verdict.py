"""Verdicts: typed reasons with short Chinese messages that say what to do."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .angle import DARK_GAP, DARK_LEVEL, TRUSTED_INLIERS, AngleResult
from .pair import PairResult

MESSAGES: dict[str, tuple[str, str]] = {
    "not_original.reused": ("整改照片与问题照片或以前的照片相同, 不是新拍的原图", "请到现场重新拍摄整改后的照片"),
    "not_original.screenshot": ("整改照片是截图, 不是原图", "请用手机相机直接拍摄, 不要截图"),
    "not_original.edited": ("整改照片经过编辑软件处理", "请上传相机拍摄的原图, 不要修图"),
    "not_original.stale": ("照片拍摄时间早于派遣时间", "请在整改完成后到现场重新拍摄"),
    "not_original.far": ("照片拍摄地点与案件位置不符", "请在案件现场拍摄整改照片"),
    "angle.mismatch": ("与问题照片角度不一致", "请站在问题照片的拍摄位置, 按相同方向重新拍摄"),
    # Hints that follow angle.mismatch when the photos could be matched: which way to move.
    "angle.too_left": ("站位偏左", "请向右移动, 让画面中心与问题照片一致"),
    "angle.too_right": ("站位偏右", "请向左移动, 让画面中心与问题照片一致"),
    "angle.too_high": ("镜头偏上", "请把镜头放低一些, 与问题照片同一高度"),
    "angle.too_low": ("镜头偏下", "请把镜头抬高一些, 与问题照片同一高度"),
    "angle.too_close": ("距离太近", "请后退几步, 拍到与问题照片相同的范围"),
    "angle.too_far": ("距离太远", "请走近一些, 拍到与问题照片相同的范围"),
    "light.too_dark": ("光线太暗, 无法与问题照片比对", "请白天或开灯后重拍"),
}

# Hint limits: how far B's centre may sit from A's (fraction of the frame), how much zoom is "about the
# same"; what counts as too dark (mean grey level, and how much darker than the problem photo) is
# angle.py's DARK_LEVEL and DARK_GAP.
OFFSET_HINT = 0.08
ZOOM_HINT = 1.25


@dataclass(frozen=True)
class Reason:
    code: str
    message_zh: str
    fix_zh: str
    weight: float = 1.0

    @classmethod
    def of(cls, code: str, weight: float = 1.0) -> "Reason":
        message, fix = MESSAGES[code]
        return cls(code, message, fix, weight)

    def to_dict(self) -> dict:
        return asdict(self)


def pair_reasons(result: PairResult) -> list[Reason]:
    reasons = []
    if result.copy:
        reasons.append(Reason.of("not_original.reused", result.copy_score))
    if not result.same_angle:
        reasons.append(Reason.of("angle.mismatch", 1.0 - result.same_angle_score))
        reasons += [Reason.of(code) for code in angle_hints(result.angle)]
    return reasons


def angle_hints(angle: AngleResult) -> list[str]:
    """What the officer should change, from where B's view lands in A (only when they could be matched)."""
    hints = []
    if angle.brightness_b < DARK_LEVEL and angle.brightness_a - angle.brightness_b > DARK_GAP:
        hints.append("light.too_dark")
    view = angle.viewpoint
    if view is None or angle.inliers < TRUSTED_INLIERS:
        return hints
    if abs(view.dx) > OFFSET_HINT:
        hints.append("angle.too_right" if view.dx > 0 else "angle.too_left")
    if abs(view.dy) > OFFSET_HINT:
        hints.append("angle.too_low" if view.dy > 0 else "angle.too_high")
    if view.scale < 1 / ZOOM_HINT:
        hints.append("angle.too_close")
    elif view.scale > ZOOM_HINT:
        hints.append("angle.too_far")
    return hints


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reasons: tuple[Reason, ...]
    pair: PairResult | None = None
    signals: tuple = ()
    reused_from: tuple = ()  # ids of earlier photos this one duplicates

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "reasons": [r.to_dict() for r in self.reasons],
            "pair": self.pair.to_dict() if self.pair else None,
            "signals": [s.to_dict() for s in self.signals],
            "reused_from": list(self.reused_from),
        }
