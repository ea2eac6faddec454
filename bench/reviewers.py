"""Benchmark: 50 reviewers scoring at once through the real forms, on PostgreSQL.

Uses the database ``bench/pages.py`` seeds (100,000 synthetic applications),
served by gunicorn with ``--workers 2`` (``REDIS_URL`` set: jobs are queued for
workers, as in production; the run's queue is emptied at the end). Each of the
``--reviewers 50`` reviewers with the most open assignments signs in (not
timed), then for ``--seconds 60`` goes through their queue: the queue, an
assignment's page, the conflict declaration when it is still undeclared
("no conflict"), a draft saved, the review submitted, each form filled from the
page's own fields (the highest score for every criterion, a comment everywhere).

With ``--think S`` each reviewer pauses S seconds before every request (reading
the page); without, they click as fast as the server answers: 50 clients in a
closed loop, so the latency is mostly their wait in gunicorn's queue (50 divided
by the throughput). Reports p50, p95 and errors (a status other than the
expected one, or no answer) per step and overall. Target (issue 13): 0 errors, p95 <= 1 s.

    .venv/bin/python bench/reviewers.py
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import tempfile
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import (PASSWORD, REDIS_URL, Timings, database, drop_queue, make_app, prepare,  # noqa: E402
                         run_together)
from tests.served import gunicorn, signed_in  # noqa: E402


class Pause:
    """A reviewer's pause before each request (reading the page); 0: none, the harshest load."""
    seconds = 0.0


class FormFields(HTMLParser):
    """The fields of the form posting to ``action``: {name: value}, radios set to their last option."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action
        elif self.inside and tag == "input" and attrs.get("name"):
            if attrs.get("type") == "radio":
                self.fields[attrs["name"]] = attrs.get("value", "")  # the last option: the highest score
            elif attrs.get("type") != "checkbox":
                self.fields[attrs["name"]] = attrs.get("value", "")
        elif self.inside and tag == "textarea" and attrs.get("name"):
            self.fields[attrs["name"]] = "Scored in the reviewers' load benchmark."

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def fields(html: str, action: str) -> dict:
    parser = FormFields(action)
    parser.feed(html)
    return parser.fields


class Thinking(Timings):
    def time(self, name, call, expected=200):
        time.sleep(Pause.seconds)
        return super().time(name, call, expected)


def review(timings: Timings, session, base: str, assignment_id: int) -> None:
    path = f"/reviews/assignments/{assignment_id}"
    page = timings.time("assignment page", lambda: session.get(base + path, timeout=60))
    if page is None or page.status_code != 200:
        return
    if f'action="{path}/conflict"' in page.text and 'name="recommendation"' not in page.text:
        declared = fields(page.text, f"{path}/conflict")
        timings.time("declare no conflict", lambda: session.post(
            base + path + "/conflict", data={**declared, "has_conflict": "no", "reason": ""},
            allow_redirects=False, timeout=60), expected=302)
        page = timings.time("assignment page", lambda: session.get(base + path, timeout=60))
        if page is None or page.status_code != 200:
            return
    if 'value="submit"' not in page.text:
        return  # submitted already, or closed to this reviewer
    filled = fields(page.text, path)
    timings.time("save draft", lambda: session.post(base + path, data={**filled, "action": "save"},
                                                    allow_redirects=False, timeout=60), expected=302)
    page = timings.time("assignment page", lambda: session.get(base + path, timeout=60))
    if page is None or page.status_code != 200:
        return
    filled = fields(page.text, path)
    timings.time("submit review", lambda: session.post(base + path, data={**filled, "action": "submit"},
                                                       allow_redirects=False, timeout=60), expected=302)


def run(base: str, reviewers: list, seconds: float) -> Timings:
    timings = Thinking()
    sessions = [signed_in(base, email, PASSWORD) for email, _, _ in reviewers]  # sign-in is not timed
    for session in sessions[:4]:  # untimed: every worker has loaded the queue's and the review page's templates
        queue = session.get(f"{base}/reviews/", timeout=120).text
        first = re.search(r'href="(/reviews/assignments/\d+)"', queue)
        if first:
            session.get(base + first.group(1), timeout=120)
    stop = time.monotonic() + seconds

    def reviewer(session):
        done: set[int] = set()
        while time.monotonic() < stop:
            queue = timings.time("queue", lambda: session.get(f"{base}/reviews/", timeout=60))
            if queue is None or queue.status_code != 200:
                continue
            rows = re.findall(r"<tr>.*?</tr>", queue.text, re.S)  # the lines not submitted yet
            waiting = [int(found.group(1)) for row in rows if ">Submitted<" not in row
                       for found in [re.search(r'href="/reviews/assignments/(\d+)"', row)]
                       if found and int(found.group(1)) not in done]
            if not waiting:
                return
            done.add(waiting[0])
            review(timings, session, base, waiting[0])

    run_together(reviewer, [(session,) for session in sessions])
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--database-name", default="grantflow_bench_pages")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reviewers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=0, help="seconds a reviewer pauses before each request")
    args = parser.parse_args()
    Pause.seconds = args.think
    with tempfile.TemporaryDirectory(prefix="grantflow-bench-") as tmp:
        workdir = Path(tmp)
        url = database(args.database_name, args.size, 1, False, workdir)
        found = prepare(make_app(url, workdir), reviewers=args.reviewers)
        # every client signs in from 127.0.0.1: the per-address sign-in limit is for real networks
        env = {"DATABASE_URL": url, "REDIS_URL": REDIS_URL, "SECRET_KEY": "bench", "GRANTFLOW_RATE_LIMITS": "0",
               "GRANTFLOW_CACHE_PREFIX": f"grantflow-bench-{uuid.uuid4().hex[:8]}:",
               "RQ_QUEUE": f"grantflow-bench-{uuid.uuid4().hex[:8]}",
               **{f"GRANTFLOW_{kind}_DIR": str(workdir / kind.lower()) for kind in ("UPLOAD", "LETTER", "EXPORT")}}
        with gunicorn(env, workers=args.workers) as base:
            started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
            load_before = os.getloadavg()
            timings = run(base, found["reviewers"], args.seconds)
            load_after = os.getloadavg()
        drop_queue(env["RQ_QUEUE"])
    print(f"\n{platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · PostgreSQL · "
          f"{found['applications']:,} applications · gunicorn {args.workers} workers · "
          f"{len(found['reviewers'])} reviewers · pause {args.think:g} s · {args.seconds:.0f} s from {started} · "
          f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after\n")
    print("| step | requests | p50 ms | p95 ms | errors |\n|---|---|---|---|---|")
    rows = timings.table()
    for name, count, p50, p95, errors in rows:
        print(f"| {name} | {count} | {p50:.0f} | {p95:.0f} | {errors} |")
    every = sorted(s for samples in timings.samples.values() for s in samples)
    p95 = 1000 * every[min(len(every) - 1, int(round(0.95 * len(every))) - 1)]
    errors = sum(timings.errors.values())
    print(f"| **all** | {len(every)} | {1000 * every[len(every) // 2]:.0f} | {p95:.0f} | {errors} |")
    print(f"\nbudget (0 errors, p95 <= 1 s): {'met' if errors == 0 and p95 <= 1000 else 'MISSED'}")


if __name__ == "__main__":
    main()
