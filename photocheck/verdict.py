"""Verdicts: typed reasons with short Chinese messages that say what to do."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .pair import PairResult

MESSAGES: dict[str, tuple[str, str]] = {
    "not_original.reused": ("整改照片与问题照片或以前的照片相同, 不是新拍的原图", "请到现场重新拍摄整改后的照片"),
    "not_original.screenshot": ("整改照片是截图, 不是原图", "请用手机相机直接拍摄, 不要截图"),
    "not_original.edited": ("整改照片经过编辑软件处理", "请上传相机拍摄的原图, 不要修图"),
    "not_original.stale": ("照片拍摄时间早于派遣时间", "请在整改完成后到现场重新拍摄"),
    "not_original.far": ("照片拍摄地点与案件位置不符", "请在案件现场拍摄整改照片"),
    "angle.mismatch": ("与问题照片角度不一致", "请站在问题照片的拍摄位置, 按相同方向重新拍摄"),
}


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
    return reasons


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
