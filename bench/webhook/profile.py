"""Where a webhook's server time goes, per message kind: `python -m bench.webhook.profile [--users N] [--top K]`.

The app runs through WSGI in this process (as bench.webhook.inprocess measures it) under cProfile; only the
app's own call is profiled, not the simulated user's signing. Prints, per kind, the functions with the most
cumulative (or own: `--sort tottime`) time, to check a change to the hot path against where the time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats

from bench.webhook.inprocess import KINDS, TimedApp, service_app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative", help="pstats sort key: cumulative or tottime")
    args = parser.parse_args()
    with service_app() as flask_app:
        app = TimedApp(flask_app)
        people = app.residents(args.users)
        for name, send in KINDS.items():
            app.profiler, app.server_ms = cProfile.Profile(), []
            for person in people:
                send(person)
            profiler, app.profiler = app.profiler, None
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(args.sort).print_stats(args.top)
            total = sum(app.server_ms)
            print(f"==== {name}: {len(people)} messages, {total / len(people):.2f} ms each under the profiler ====")
            print(out.getvalue())


if __name__ == "__main__":
    main()
