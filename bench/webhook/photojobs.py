"""What the worker's photo.fetch job costs outside the photo analysis: `python -m bench.webhook.photojobs
[--photos 300] [--top 25]`.

The service's app in this process (as bench.webhook.inprocess builds it) takes `--photos` image messages from as
many residents; a worker in this process then runs their photo.fetch jobs (download from the stand-in photo host,
fingerprint and features, store, index rows, the job's bookkeeping) under cProfile. The analysis runs here, not
in its child, so the profile holds it too; it is reported apart (`describe_photo`), since under `chengguan serve`
it runs in the SCHED_IDLE child and the rest in the worker at normal priority, next to the webhook.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
from typing import Any

from bench.webhook.inprocess import TimedApp, service_and_app
from bench.webhook.standin import standin_in_thread
from bot import analysis
from bot.jobs import job_handlers
from bot.worker import Worker

ANALYSIS = "describe_photo"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="cumulative", help="pstats sort key: cumulative or tottime")
    parser.add_argument("--plain", action="store_true", help="no profiler: CPU per job, the worker's own and the analysis")
    args = parser.parse_args()
    with standin_in_thread("coffee") as api:
        env = {"WECHAT_API_BASE": api.base_url, "WECHAT_APP_ID": api.app_id, "WECHAT_APP_SECRET": api.app_secret,
               "CHENGGUAN_PHOTO_HOSTS": api.base_url.removeprefix("http://")}
        with service_and_app(env) as (flask_app, service):
            app = TimedApp(flask_app)
            for person in app.residents(args.photos, prefix="o_photojobs"):
                person.send_image(*api.pic)
            (_plain if args.plain else _profile)(Worker(service, job_handlers()), args)


def _plain(worker: Worker, args: argparse.Namespace) -> None:
    """CPU time of this thread per job, and of the analysis in it, without a profiler's overhead."""
    spent = [0.0]
    describe = analysis.describe_photo

    def timed(*call_args: Any) -> Any:
        began = time.thread_time()
        try:
            return describe(*call_args)
        finally:
            spent[0] += time.thread_time() - began

    analysis.describe_photo = timed  # type: ignore[assignment]
    try:
        began, ran = time.thread_time(), 0
        while done := worker.run_once():
            ran += done
        cpu_s = time.thread_time() - began
    finally:
        analysis.describe_photo = describe  # type: ignore[assignment]
    print(f"{ran} jobs, CPU {cpu_s * 1000 / max(ran, 1):.2f} ms per job: the analysis ({ANALYSIS}, in the SCHED_IDLE "
          f"child under serve) {spent[0] * 1000 / max(ran, 1):.2f} ms, the worker's own "
          f"{(cpu_s - spent[0]) * 1000 / max(ran, 1):.2f} ms")


def _profile(worker: Worker, args: argparse.Namespace) -> None:
    profiler = cProfile.Profile(time.thread_time)  # CPU of this thread: the stand-in's threads stay out
    began_cpu = time.thread_time()
    profiler.enable()
    ran = 0
    while done := worker.run_once():
        ran += done
    profiler.disable()
    cpu_ms = (time.thread_time() - began_cpu) * 1000
    stats = pstats.Stats(profiler)
    analysis_s = sum(row[3] for key, row in stats.stats.items() if key[2] == ANALYSIS)  # type: ignore[attr-defined]
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())
    print(f"{ran} jobs, CPU {cpu_ms / max(ran, 1):.2f} ms per job under the profiler, of which the analysis "
          f"({ANALYSIS}, in the SCHED_IDLE child under serve) {analysis_s * 1000 / max(ran, 1):.2f} ms, the rest "
          f"(the worker's own) {(cpu_ms / 1000 - analysis_s) * 1000 / max(ran, 1):.2f} ms")


if __name__ == "__main__":
    main()
