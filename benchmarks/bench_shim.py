"""Time the same workloads written with @coroutine/yield from and with async def/await.

Prints, per workload, the median time of each style over several rounds and the
legacy/native ratio.  Rounds alternate between the styles so that machine noise hits
both alike.  Usage:

    python benchmarks/bench_shim.py [--rounds 7] [--scale 1.0] [--json]
"""

import argparse
import asyncio
import json
import statistics
import sys
import time

from legacy_coro import coroutine

# --- workload 1: a deep chain of calls that never suspend ----------------------------------

CHAIN_DEPTH = 20


@coroutine
def legacy_chain(n):
    if n == 0:
        return 1
    value = yield from legacy_chain(n - 1)
    return value + 1


async def native_chain(n):
    if n == 0:
        return 1
    value = await native_chain(n - 1)
    return value + 1


@coroutine
def legacy_chain_main(repeat):
    total = 0
    for _ in range(repeat):
        total += yield from legacy_chain(CHAIN_DEPTH)
    return total


async def native_chain_main(repeat):
    total = 0
    for _ in range(repeat):
        total += await native_chain(CHAIN_DEPTH)
    return total


# --- workload 2: many tasks ceding with sleep(0) -------------------------------------------


@coroutine
def legacy_ceder(turns):
    for _ in range(turns):
        yield from asyncio.sleep(0)


async def native_ceder(turns):
    for _ in range(turns):
        await asyncio.sleep(0)


@coroutine
def legacy_cede_main(tasks):
    yield from asyncio.gather(*[legacy_ceder(50) for _ in range(tasks)])


async def native_cede_main(tasks):
    await asyncio.gather(*[native_ceder(50) for _ in range(tasks)])


# --- workload 3: create_task + await of short coroutines -----------------------------------


@coroutine
def legacy_short(x):
    return x
    yield  # noqa: B901 - a generator function that returns at once


async def native_short(x):
    return x


@coroutine
def legacy_spawn_main(count):
    total = 0
    for i in range(count):
        total += yield from asyncio.ensure_future(legacy_short(i))
    return total


async def native_spawn_main(count):
    total = 0
    for i in range(count):
        total += await asyncio.ensure_future(native_short(i))
    return total


# --- workload 4: a gather fan-out over futures ---------------------------------------------


@coroutine
def legacy_waiter(fut):
    value = yield from fut
    return value


async def native_waiter(fut):
    return await fut


def _fan_out(waiter, width):
    loop = asyncio.get_running_loop()
    futures = [loop.create_future() for _ in range(width)]
    for i, fut in enumerate(futures):
        loop.call_soon(fut.set_result, i)
    return asyncio.gather(*[waiter(f) for f in futures])


@coroutine
def legacy_gather_main(rounds):
    for _ in range(rounds):
        yield from _fan_out(legacy_waiter, 100)


async def native_gather_main(rounds):
    for _ in range(rounds):
        await _fan_out(native_waiter, 100)


# --- workload 5: echo server and client over loopback streams ------------------------------


@coroutine
def legacy_echo_handler(reader, writer):
    while True:
        line = yield from reader.readline()
        if not line:
            break
        writer.write(line)
        yield from writer.drain()
    writer.close()


async def native_echo_handler(reader, writer):
    while True:
        line = await reader.readline()
        if not line:
            break
        writer.write(line)
        await writer.drain()
    writer.close()


@coroutine
def legacy_echo_main(messages):
    server = yield from asyncio.start_server(legacy_echo_handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = yield from asyncio.open_connection("127.0.0.1", port)
    for i in range(messages):
        writer.write(b"ping %d\n" % i)
        yield from writer.drain()
        yield from reader.readline()
    writer.close()
    server.close()
    yield from server.wait_closed()


async def native_echo_main(messages):
    server = await asyncio.start_server(native_echo_handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for i in range(messages):
        writer.write(b"ping %d\n" % i)
        await writer.drain()
        await reader.readline()
    writer.close()
    server.close()
    await server.wait_closed()


WORKLOADS = [
    # name, legacy main, native main, size at scale 1, target ratio on 3.12+
    ("call chain (depth 20, no suspension)", legacy_chain_main, native_chain_main, 3000, 1.25),
    ("sleep(0) ceding (200 tasks x 50)", legacy_cede_main, native_cede_main, 200, 1.10),
    ("create_task + await short", legacy_spawn_main, native_spawn_main, 20000, 1.10),
    ("gather fan-out over futures", legacy_gather_main, native_gather_main, 200, 1.10),
    ("echo over loopback streams", legacy_echo_main, native_echo_main, 2000, 1.10),
]


def _time_once(main, size):
    loop = asyncio.new_event_loop()
    try:
        start = time.perf_counter()
        loop.run_until_complete(main(size))
        return time.perf_counter() - start
    finally:
        loop.close()


def measure(rounds, scale):
    """Return one result dict per workload."""
    results = []
    for name, legacy, native, size, target in WORKLOADS:
        size = max(1, int(size * scale))
        _time_once(legacy, size)  # warm up both
        _time_once(native, size)
        legacy_times, native_times = [], []
        for _ in range(rounds):
            legacy_times.append(_time_once(legacy, size))
            native_times.append(_time_once(native, size))
        legacy_median = statistics.median(legacy_times)
        native_median = statistics.median(native_times)
        results.append({
            "workload": name,
            "legacy_s": legacy_median,
            "native_s": native_median,
            "ratio": legacy_median / native_median,
            "target": target,
        })
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="rounds per style (median taken)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every workload's size")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    results = measure(args.rounds, args.scale)
    if args.json:
        print(json.dumps({"python": sys.version.split()[0], "results": results}, indent=2))
        return 0
    print(f"Python {sys.version.split()[0]}, median of {args.rounds} rounds")
    print(f"{'workload':40} {'legacy':>10} {'native':>10} {'ratio':>7} {'target':>7}")
    for r in results:
        print(
            f"{r['workload']:40} {r['legacy_s'] * 1e3:8.1f}ms {r['native_s'] * 1e3:8.1f}ms "
            f"{r['ratio']:7.3f} {r['target']:7.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
