"""How many lines per second ``legacy-coro port`` rewrites, with one job and with two.

Generates a legacy code base (by default 200 files of about 500 lines: coroutines
with ``yield from``, ``loop=`` arguments, classes, plain helpers, comments and
docstrings) in a temporary directory, then times ``legacy-coro port --jobs N DIR``
as a child process on a fresh copy for each N, best of a few rounds (process
start-up and LibCST import included: that is what a user waits for).  It also
prints lines per CPU second (user + system time of the command and its workers),
which does not depend on what else the machine is running.  Usage:

    python benchmarks/port_speed.py [--files 200] [--lines 500] [--rounds 3] [--jobs 1 2]
"""

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

COROUTINE = '''

@asyncio.coroutine
def fetch_{n}(session, url, retries=3):
    """Fetch one URL, retrying on timeouts ({n})."""
    for attempt in range(retries):  # the old way
        try:
            response = yield from asyncio.wait_for(session.get(url), 10, loop=session.loop)
            body = (yield from response.read()).decode()
            return body
        except asyncio.TimeoutError:
            yield from asyncio.sleep(0.1 * attempt, loop=session.loop)
    return None
'''

HANDLER = '''

class Handler{n}(object):
    """A protocol-ish class with one coroutine method and plain ones."""

    def __init__(self, loop):
        self.loop = loop
        self.queue = asyncio.Queue(loop=loop)
        self.seen = {{}}

    def key(self, item):
        return "%s-%d" % (item.name, item.size)

    @asyncio.coroutine
    def handle(self, item):
        yield from self.queue.put(item)
        with (yield from self.lock):
            self.seen[self.key(item)] = item
        result = yield from self.process(item) + 1 if item else 0
        return result
'''

HELPER = '''

def helper_{n}(values, scale=2):
    # A plain function: nothing to port here.
    total = 0
    for value in values:
        if value % 3 == 0:
            total += value * scale
        else:
            total -= value
    return [total, len(values), max(values or [0])]
'''

HEADER = '''"""Generated legacy module {n} for the port benchmark."""

import asyncio
import logging

LOG = logging.getLogger(__name__)
'''


def generate(directory: str, files: int, lines: int) -> int:
    """Write the code base; return its total line count."""
    total = 0
    for f in range(files):
        parts = [HEADER.format(n=f)]
        count = parts[0].count("\n")
        n = 0
        while count < lines:
            template = (COROUTINE, HANDLER, HELPER)[n % 3]
            part = template.format(n=n)
            parts.append(part)
            count += part.count("\n")
            n += 1
        text = "".join(parts)
        total += text.count("\n")
        with open(os.path.join(directory, f"module_{f:03d}.py"), "w") as stream:
            stream.write(text)
    return total


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_port(source: str, jobs: int, rounds: int) -> "tuple[float, float]":
    """Return the best wall time and CPU time of ``legacy-coro port --jobs N`` on fresh copies."""
    best = best_cpu = float("inf")
    for _ in range(rounds):
        work = tempfile.mkdtemp(prefix="port_bench_")
        try:
            target = os.path.join(work, "src")
            shutil.copytree(source, target)
            cpu = _children_cpu()
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "legacy_coro", "port", "--jobs", str(jobs), target],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            elapsed = time.perf_counter() - start
            cpu = _children_cpu() - cpu
            if done.returncode not in (0, 1):
                raise SystemExit(f"legacy-coro port failed:\n{done.stderr}")
            best = min(best, elapsed)
            best_cpu = min(best_cpu, cpu)
        finally:
            shutil.rmtree(work)
    return best, best_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--lines", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    source = tempfile.mkdtemp(prefix="port_bench_src_")
    try:
        total = generate(source, args.files, args.lines)
        print(f"Python {sys.version.split()[0]}, {args.files} files, {total} lines, "
              f"{os.cpu_count()} CPUs, best of {args.rounds}")
        print(f"load average before: {os.getloadavg()[0]:.1f}")
        for jobs in args.jobs:
            elapsed, cpu = time_port(source, jobs, args.rounds)
            print(f"--jobs {jobs}: {elapsed:6.2f} s  {total / elapsed:9,.0f} lines/s   "
                  f"CPU {cpu:6.2f} s  {total / cpu:9,.0f} lines per CPU second")
    finally:
        shutil.rmtree(source)


if __name__ == "__main__":
    main()
