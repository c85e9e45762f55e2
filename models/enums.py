"""Named states and kinds used across the models. Stored as their string values, never integers."""

from enum import StrEnum


class Role(StrEnum):
    RESIDENT = "resident"          # 市民
    ROAD_CHIEF = "road_chief"      # 路长
    OFFICER = "officer"            # 执法队员 / 环卫 / 市政
    REVIEWER = "reviewer"          # 平台员 / 城综委办
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {
            Role.RESIDENT: "市民",
            Role.ROAD_CHIEF: "路长",
            Role.OFFICER: "队员",
            Role.REVIEWER: "审核员",
            Role.ADMIN: "管理员",
        }[self]


class CaseSource(StrEnum):
    THIRD_PARTY = "third_party"    # 市第三方检查: 限时整改 by the time-limit table
    SNAPSHOT = "snapshot"          # 随手拍 (residents)
    PATROL = "patrol"              # 巡查上报
    ROAD_OFFICE = "road_office"    # 马路办公
    HOTLINE = "hotline"            # 12345 热线 / 投诉

    @property
    def label(self) -> str:
        return {
            CaseSource.THIRD_PARTY: "市第三方检查",
            CaseSource.SNAPSHOT: "随手拍",
            CaseSource.PATROL: "巡查上报",
            CaseSource.ROAD_OFFICE: "马路办公",
            CaseSource.HOTLINE: "12345热线",
        }[self]


class CaseStatus(StrEnum):
    REPORTED = "reported"          # 上报
    ACCEPTED = "accepted"          # 受理/立案
    DISPATCHED = "dispatched"      # 派遣
    RECTIFYING = "rectifying"      # 处置中
    SUBMITTED = "submitted"        # 整改已提交, 待核查
    RETURNED = "returned"          # 返工
    VERIFIED = "verified"          # 核查通过
    CLOSED = "closed"              # 结案
    REJECTED = "rejected"          # 不予受理

    @property
    def label(self) -> str:
        return {
            CaseStatus.REPORTED: "待受理",
            CaseStatus.ACCEPTED: "已受理",
            CaseStatus.DISPATCHED: "已派遣",
            CaseStatus.RECTIFYING: "整改中",
            CaseStatus.SUBMITTED: "待核查",
            CaseStatus.RETURNED: "返工",
            CaseStatus.VERIFIED: "核查通过",
            CaseStatus.CLOSED: "已结案",
            CaseStatus.REJECTED: "不予受理",
        }[self]


class PhotoRole(StrEnum):
    PROBLEM = "problem"
    RECTIFICATION = "rectification"


class PhotoStatus(StrEnum):
    PENDING = "pending"      # announced by a chat message, not downloaded yet
    STORED = "stored"        # downloaded, decoded, fingerprinted, on disk
    REJECTED = "rejected"    # not usable (corrupt, not an image, too large…); the sender was told
    ERASED = "erased"        # deleted for privacy (retention, or the reporter's deletion request); no file left


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"
    MOSTLY = "mostly"
    UNSATISFIED = "unsatisfied"

    @property
    def label(self) -> str:
        return {Satisfaction.SATISFIED: "满意", Satisfaction.MOSTLY: "基本满意", Satisfaction.UNSATISFIED: "不满意"}[self]
