"""Which function runs each kind of outbox job, how often it may be tried, and who is told when it is
parked. Every flow that enqueues work registers it here."""

from __future__ import annotations

from bot.cards.queue import KIND as CARD, UPDATE_KIND as CARD_UPDATE
from bot.cards.send import send_card_job
from bot.cards.update import update_cards_job
from bot.notices.deliver import deliver_notice
from bot.notices.queue import KIND as NOTICE
from bot.privacy.erase import ERASE_FILES, erase_files_job
from bot.privacy.job import KIND as RETENTION, run_retention
from bot.reminders.send import KIND as GROUP_SEND, send_group_message
from bot.tasks.new_reports import KIND as NEW_REPORTS, announce_new_reports
from bot.tasks.notify import send_photo, send_text
from bot.tasks.photos import fetch_photo, photo_job_parked
from bot.tasks.rectify import check_rectification_photo
from bot.uplink.jobs import uplink_batch_handlers, uplink_handlers
from bot.worker import JobKind

# Chat photos: about an hour of retries (WeChat keeps the media three days, the sender waits now).
PHOTO_ATTEMPTS = 8
# The platform may be down for a day: retried hourly once the back-off is at its cap, `platform stuck` shows them.
UPLINK_ATTEMPTS = 48


def job_handlers() -> dict[str, JobKind]:
    batches = uplink_batch_handlers()
    return {
        **{kind: JobKind(run, max_attempts=UPLINK_ATTEMPTS, run_batch=batches.get(kind))
           for kind, run in uplink_handlers().items()},
        "photo.fetch": JobKind(fetch_photo, PHOTO_ATTEMPTS, on_parked=photo_job_parked),
        "rectify.check": JobKind(check_rectification_photo, PHOTO_ATTEMPTS, on_parked=photo_job_parked),
        "notify.text": JobKind(send_text),
        "notify.photo": JobKind(send_photo),
        NEW_REPORTS: JobKind(announce_new_reports),  # new 随手拍 reports to the street's reviewers, batched per minute
        NOTICE: JobKind(deliver_notice),  # 已受理 / 不予受理 / 已办结 / 满意度 to the resident who reported
        GROUP_SEND: JobKind(send_group_message),  # digests and bulletins to group chats
        RETENTION: JobKind(run_retention),  # the daily deletion of what CHENGGUAN_RETENTION_DAYS no longer allows
        ERASE_FILES: JobKind(erase_files_job),  # photo files of a resident who asked for deletion
        CARD: JobKind(send_card_job),  # a decision card (受理/退回, 我来处理, 通过/返工) to staff in the WeCom app
        CARD_UPDATE: JobKind(update_cards_job),  # every copy of a decided card shows who decided
    }
