"""What legacy_coro.install() costs native code, and what it costs an import.

Two measurements, each a ratio against the same work without the layer, taken
in the same run so that machine noise hits both alike:

1. Hot asyncio workloads written in native async/await (sleep(0) loop,
   create_task + await, gather over futures, wait_for, Lock, Queue,
   asyncio.wait), timed in one process, alternating rounds with and without
   install(); median of the rounds.  Target: at most 1.05.
2. Importing a large package (pytest, LibCST when installed) with a warm
   cache, in fresh child interpreters alternating with and without the layer;
   median of the runs.  Target: at most 1.2.

With ``--instructions`` the workloads are measured in instructions instead
of seconds, under ``valgrind --tool=callgrind``: a count that does not depend
on what else the machine is doing (these machines are shared).  Each workload
runs in child interpreters at two sizes, N and 2N, with and without the
layer, and only the workload is counted (``--toggle-collect``); the
difference of the two counts is the cost of N iterations, without the event
loop's creation.  The garbage collector is off while a workload runs (when a
collection falls depends on every allocation before it), and the hash seed is
fixed: the same run gives the same count.

Usage:

    python benchmarks/bench_install.py [--rounds 9] [--scale 1.0] [--imports 9] [--json]
    python benchmarks/bench_install.py --instructions [--scale 0.1]
"""

import argparse
import asyncio
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import legacy_coro

# --- hot workloads, native code -----------------------------------------------------------


async def sleep_loop(n):
    for _ in range(n):
        await asyncio.sleep(0)


async def short(x):
    return x


async def create_task_await(n):
    for i in range(n):
        await asyncio.create_task(short(i))


async def gather_futures(n):
    loop = asyncio.get_running_loop()
    for _ in range(n):
        futures = [loop.create_future() for _ in range(20)]
        for i, fut in enumerate(futures):
            loop.call_soon(fut.set_result, i)
        await asyncio.gather(*futures)


async def wait_for_loop(n):
    for i in range(n):
        await asyncio.wait_for(short(i), 10)


async def lock_loop(n):
    lock = asyncio.Lock()

    async def worker(turns):
        for _ in range(turns):
            async with lock:
                await asyncio.sleep(0)

    await asyncio.gather(*[worker(n // 10) for _ in range(10)])


async def queue_loop(n):
    queue = asyncio.Queue(maxsize=10)

    async def producer():
        for i in range(n):
            await queue.put(i)
        await queue.put(None)

    async def consumer():
        while await queue.get() is not None:
            pass

    await asyncio.gather(producer(), consumer())


async def wait_loop(n):
    loop = asyncio.get_running_loop()
    for _ in range(n):
        futures = [loop.create_future() for _ in range(10)]
        for i, fut in enumerate(futures):
            loop.call_soon(fut.set_result, i)
        await asyncio.wait(futures)


WORKLOADS = [
    # name, coroutine function, size at scale 1
    ("sleep(0) loop", sleep_loop, 20000),
    ("create_task + await", create_task_await, 10000),
    ("gather over futures", gather_futures, 1000),
    ("wait_for", wait_for_loop, 10000),
    ("Lock", lock_loop, 10000),
    ("Queue", queue_loop, 10000),
    ("asyncio.wait", wait_loop, 2000),
]


def _time_once(func, size):
    loop = asyncio.new_event_loop()
    try:
        start = time.perf_counter()
        loop.run_until_complete(func(size))
        return time.perf_counter() - start
    finally:
        loop.close()


def measure_workloads(rounds, scale):
    """Return one result dict per workload: median with install() / without."""
    results = []
    for name, func, size in WORKLOADS:
        size = max(10, int(size * scale))
        _time_once(func, size)
        with_layer, without = [], []
        for _ in range(rounds):
            legacy_coro.install()
            try:
                with_layer.append(_time_once(func, size))
            finally:
                legacy_coro.uninstall()
            without.append(_time_once(func, size))
        results.append({
            "workload": name,
            "installed_s": statistics.median(with_layer),
            "plain_s": statistics.median(without),
            "ratio": statistics.median(with_layer) / statistics.median(without),
            "target": 1.05,
        })
    return results


# --- imports ------------------------------------------------------------------------------

_IMPORT = """
import sys, time
import legacy_coro, legacy_coro._compat, legacy_coro._hook  # what install() imports, both ways
if sys.argv[1] == "layer":
    legacy_coro.install()
start = time.perf_counter()
for name in sys.argv[2:]:
    __import__(name)
print(time.perf_counter() - start)
"""


def _packages():
    names = ["pytest"]
    if importlib.util.find_spec("libcst") is not None:
        names.append("libcst")
    return names


def measure_imports(runs):
    """Time importing large packages in fresh interpreters, with the layer and without."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a warm cache is the case measured
    names = _packages()

    def once(mode):
        out = subprocess.run([sys.executable, "-c", _IMPORT, mode, *names], env=env,
                             capture_output=True, text=True, check=True).stdout
        return float(out)

    once("layer")  # warm both caches
    once("plain")
    with_layer, without = [], []
    for _ in range(runs):
        with_layer.append(once("layer"))
        without.append(once("plain"))
    return {
        "packages": names,
        "installed_s": statistics.median(with_layer),
        "plain_s": statistics.median(without),
        "ratio": statistics.median(with_layer) / statistics.median(without),
        "target": 1.2,
    }


# --- instructions, under valgrind -----------------------------------------------------

_CHILD = """
import functools, gc, sys
sys.path.insert(0, sys.argv[1])
import bench_install, legacy_coro, legacy_coro._compat, legacy_coro._hook
name, mode, size = sys.argv[2], sys.argv[3], int(sys.argv[4])
func = dict((n, f) for n, f, _ in bench_install.WORKLOADS)[name]
if mode == "layer":
    legacy_coro.install()
# a collection of the old generation costs millions of instructions, and when
# one falls depends on every allocation before it: none during the count
gc.collect()
gc.disable()
# valgrind counts only inside functools.reduce (--toggle-collect): the workload
functools.reduce(lambda a, b: bench_install._time_once(func, size), [0, 0])
"""


def _instructions(name, mode, size):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        proc = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
             "--collect-atstart=no", "--toggle-collect=functools_reduce*", sys.executable,
             "-c", _CHILD, os.path.dirname(os.path.abspath(__file__)), name, mode, str(size)],
            capture_output=True, text=True, check=True,
            env=dict(os.environ, PYTHONHASHSEED="0"))  # the same run every time
    match = re.search(r"Collected : (\d+)", proc.stderr)
    if match is None:
        raise RuntimeError(f"valgrind gave no count:\n{proc.stderr}")
    if int(match.group(1)) == 0:
        # functools.reduce is counted through its C function's symbol, which a build
        # without it (CPython's main branch, 3.16.0a0, here) does not have
        raise SystemExit(f"bench_install.py: valgrind counted nothing in {sys.executable}: "
                         "it has no functools_reduce symbol to count the workload in; "
                         "measure on a released CPython")
    return int(match.group(1))


def measure_instructions(scale):
    """Return one result per workload: instructions per N iterations, with / without."""
    if shutil.which("valgrind") is None:
        raise SystemExit("bench_install.py: --instructions needs valgrind (apt install valgrind)")
    results = []
    for name, _, size in WORKLOADS:
        size = max(10, int(size * scale))
        cost = {}
        for mode in ("layer", "plain"):
            cost[mode] = _instructions(name, mode, 2 * size) - _instructions(name, mode, size)
        results.append({
            "workload": name, "installed": cost["layer"], "plain": cost["plain"],
            "ratio": cost["layer"] / cost["plain"], "target": 1.05,
        })
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9, help="rounds per workload (median)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every workload's size")
    parser.add_argument("--imports", type=int, default=9, help="import runs per mode (median)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--instructions", action="store_true",
                        help="count instructions under valgrind instead of timing (slow; "
                             "use --scale 0.1)")
    args = parser.parse_args(argv)
    if args.instructions:
        counted = measure_instructions(args.scale)
        if args.json:
            print(json.dumps({"python": sys.version.split()[0], "instructions": counted},
                             indent=2))
            return 0
        print(f"Python {sys.version.split()[0]}, instructions for N iterations (valgrind)")
        print(f"{'workload':24} {'installed':>14} {'plain':>14} {'ratio':>7} {'target':>7}")
        for r in counted:
            print(f"{r['workload']:24} {r['installed']:14,} {r['plain']:14,} "
                  f"{r['ratio']:7.3f} {r['target']:7.2f}")
        return 0
    workloads = measure_workloads(args.rounds, args.scale)
    imports = measure_imports(args.imports)
    if args.json:
        print(json.dumps({"python": sys.version.split()[0], "workloads": workloads,
                          "imports": imports}, indent=2))
        return 0
    print(f"Python {sys.version.split()[0]}, median of {args.rounds} rounds, alternating "
          "with and without install()")
    print(f"{'workload':24} {'installed':>10} {'plain':>10} {'ratio':>7} {'target':>7}")
    for r in workloads:
        print(f"{r['workload']:24} {r['installed_s'] * 1e3:8.1f}ms {r['plain_s'] * 1e3:8.1f}ms "
              f"{r['ratio']:7.3f} {r['target']:7.2f}")
    r = imports
    label = "import " + ", ".join(r["packages"])
    print(f"{label:24} {r['installed_s'] * 1e3:8.1f}ms {r['plain_s'] * 1e3:8.1f}ms "
          f"{r['ratio']:7.3f} {r['target']:7.2f}   (warm cache, median of {args.imports})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
