"""Per api key: a rate of POSTs and a number of cases a day (Asia/Shanghai), counted in the database
so that every web process agrees. One key filing 100,000 cases a day used up the case numbers and
buried the reviewers; past either limit a POST gets 429 with Retry-After and changes nothing.

The count is taken in the POST's own transaction: a refused POST rolls back, so the count stays at
the limit and every later POST in the window is refused too.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.config import Open311Limits
from bot.open311.errors import Open311Error
from bot.rates import Rate
from models.platform import ApiKey
from models.ratecounters import count_event, window

CHINA = ZoneInfo("Asia/Shanghai")


def count_post(session: Session, key: ApiKey, limits: Open311Limits, now: datetime) -> None:
    rate = Rate.parse(limits.posts_per_key)
    bucket, ends_at = window(f"open311-post:{key.id}", rate.seconds, now)
    if count_event(session, bucket, ends_at) > rate.amount:
        wait = _seconds(ends_at - now)
        raise Open311Error(429, f"api_key {key.name} sent more than {rate} requests; retry after {wait} s "
                                f"(该密钥提交过于频繁, 请 {wait} 秒后再试)", retry_after=wait)


def count_case(session: Session, key: ApiKey, limits: Open311Limits, now: datetime) -> None:
    day = now.astimezone(CHINA).date()
    midnight = datetime.combine(day + timedelta(days=1), datetime.min.time(), CHINA)
    if count_event(session, f"open311-cases:{key.id}@{day}", midnight) > limits.cases_per_key_per_day:
        wait = _seconds(midnight - now)
        raise Open311Error(429, f"api_key {key.name} filed its {limits.cases_per_key_per_day} cases for today; "
                                f"retry tomorrow (Asia/Shanghai) (该密钥今日提交已达上限 {limits.cases_per_key_per_day} 件, "
                                "请明日再提交; 如需提高上限请联系平台管理员)", retry_after=wait)


def _seconds(left: timedelta) -> int:
    return max(1, math.ceil(left.total_seconds()))
