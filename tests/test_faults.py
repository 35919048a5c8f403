"""Faults and resources: legacy coroutines behave like native ones in the rare paths.

Every test runs the same scenario written both ways on the running
interpreter and compares, because recursion limits, exception contexts and
the exit path of asyncio.run differ between versions (and between CPython
and PyPy) -- the property is "as native here", not a fixed outcome.
"""

import asyncio
import contextvars
import gc
import linecache
import os
import platform
import subprocess
import sys
import textwrap
import threading
import traceback
import weakref

import pytest

from legacy_coro import coroutine

PYPY = platform.python_implementation() == "PyPy"


# --- memory and reference cycles --------------------------------------------------------


@coroutine
def _leaf(i):
    if i % 100 == 0:
        yield from asyncio.sleep(0)
    return i


@coroutine
def _plain(i):  # 3.10's wrapper path: a decorated non-generator function
    return _leaf(i)


@coroutine
def _calls(n, refs):
    total = 0
    for i in range(n):
        coro = _plain(i) if i % 10 == 0 else _leaf(i)
        if i % 1000 == 0:
            refs.append(weakref.ref(coro))
        total += yield from coro
    return total


async def _native_leaf(i):
    if i % 100 == 0:
        await asyncio.sleep(0)
    return i


async def _native_plain(i):
    return await _native_leaf(i)


async def _native_calls(n, refs):
    total = 0
    for i in range(n):
        coro = _native_plain(i) if i % 10 == 0 else _native_leaf(i)
        if i % 1000 == 0:
            refs.append(weakref.ref(coro))
        total += await coro
    return total


@coroutine
def _sleeper(started):
    started.append(None)
    try:
        yield from asyncio.sleep(3600)
    finally:
        started.pop()


async def _native_sleeper(started):
    started.append(None)
    try:
        await asyncio.sleep(3600)
    finally:
        started.pop()


def _cancelled_tasks(sleeper):
    async def workload(n, refs):
        started = []
        for _ in range(n // 1000):
            tasks = [asyncio.ensure_future(sleeper(started)) for _ in range(1000)]
            refs.extend(weakref.ref(t) for t in tasks[::100])
            await asyncio.sleep(0)
            assert len(started) == 1000
            for task in tasks:
                task.cancel()
            outcomes = await asyncio.gather(*tasks, return_exceptions=True)
            assert all(isinstance(o, asyncio.CancelledError) for o in outcomes)
            assert not started  # every finally ran
            del tasks, outcomes
        return n

    return workload


WORKLOADS = {
    "100000 calls": (_calls, _native_calls, 100_000),
    "10000 cancelled tasks": (
        _cancelled_tasks(_sleeper), _cancelled_tasks(_native_sleeper), 10_000
    ),
}


def _run(loop, workload, n):
    refs = []
    loop.run_until_complete(workload(n, refs))
    return refs


@pytest.mark.parametrize("name", list(WORKLOADS))
def test_no_object_outlives_the_workload(name):
    legacy, native, n = WORKLOADS[name]
    loop = asyncio.new_event_loop()
    try:
        for workload in (legacy, native):
            refs = _run(loop, workload, n)
            for _ in range(3):  # PyPy frees an object with a __del__ one collection later
                gc.collect()
            assert refs and all(ref() is None for ref in refs), workload
    finally:
        loop.close()


@pytest.mark.skipif(PYPY, reason="PyPy has no tracemalloc (the weakref test above covers it)")
@pytest.mark.parametrize("name", list(WORKLOADS))
def test_memory_does_not_grow(name):
    import tracemalloc

    legacy, native, n = WORKLOADS[name]
    loop = asyncio.new_event_loop()
    growth = {}
    tracemalloc.start()
    try:
        for label, workload in (("legacy", legacy), ("native", native)):
            _run(loop, workload, 2000)  # warm caches, free lists, the loop's own buffers
            gc.collect()
            before = tracemalloc.get_traced_memory()[0]
            _run(loop, workload, n)
            gc.collect()
            growth[label] = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
        loop.close()
    # A leak of a single small object per call or task would be >= 16 bytes
    # times n (1.6 MB / 160 kB); what is left is interpreter noise.
    bound = max(64 * 1024, growth["native"] + 32 * 1024)
    print(name, "bytes left after gc:", growth)
    assert growth["legacy"] < bound, growth


def _cyclic_garbage(loop, workload, n):
    """Return how many objects *workload* left in cycles that only gc can free."""
    gc.collect()
    gc.disable()
    try:
        _run(loop, workload, n)
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            gc.collect()
            count = len(gc.garbage)
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
    finally:
        gc.enable()
    return count


@pytest.mark.skipif(PYPY, reason="PyPy's gc has no DEBUG_SAVEALL / gc.garbage accounting")
@pytest.mark.parametrize("name", list(WORKLOADS))
def test_no_more_reference_cycles_than_native(name):
    legacy, native, n = WORKLOADS[name]
    loop = asyncio.new_event_loop()
    try:
        _run(loop, legacy, 1000)
        _run(loop, native, 1000)
        counts = {
            "legacy": _cyclic_garbage(loop, legacy, n // 10),
            "native": _cyclic_garbage(loop, native, n // 10),
        }
    finally:
        loop.close()
    print(name, "objects in cycles:", counts)
    assert counts["legacy"] <= counts["native"], counts
    if name == "100000 calls":
        assert counts["legacy"] < 100, counts  # nothing per call
    gc.collect()
    assert gc.garbage == []


@pytest.mark.skipif(PYPY, reason="PyPy's gc has no DEBUG_SAVEALL / gc.garbage accounting")
def test_cycle_counter_sees_cycles():
    async def cyclic(n, refs):
        for _ in range(n):
            box = []
            box.append(box)

    loop = asyncio.new_event_loop()
    try:
        assert _cyclic_garbage(loop, cyclic, 100) >= 100
    finally:
        loop.close()


# --- deep chains -------------------------------------------------------------------------


@coroutine
def _legacy_chain(n):
    if n == 0:
        yield from asyncio.sleep(0)
        return 0
    value = yield from _legacy_chain(n - 1)
    return value + 1


async def _native_chain(n):
    if n == 0:
        await asyncio.sleep(0)
        return 0
    return await _native_chain(n - 1) + 1


def _outcome(coro):
    try:
        return ("result", asyncio.run(coro))
    except RecursionError:
        return ("RecursionError",)


@pytest.mark.parametrize("limit", [None, 10_000], ids=["default limit", "limit 10000"])
@pytest.mark.parametrize("depth", [500, 2000])
def test_deep_chain_behaves_as_native(depth, limit):
    old_limit = sys.getrecursionlimit()
    if limit is not None:
        sys.setrecursionlimit(limit)
    try:
        native = _outcome(_native_chain(depth))
        legacy = _outcome(_legacy_chain(depth))
    finally:
        sys.setrecursionlimit(old_limit)
    assert legacy == native
    if depth == 500 or limit is not None:
        assert legacy == ("result", depth)
    else:  # 1000 by default: every version stops a 2000-deep await chain
        assert legacy == ("RecursionError",)


# --- close() and throw() on a suspended coroutine --------------------------------------


def _suspender(style, where):
    """Return a coroutine function that logs how it leaves its suspension point."""

    def make(log):
        if style == "legacy":

            @coroutine
            def child():
                try:
                    if where == "bare yield":
                        yield
                    elif where == "future":
                        yield from asyncio.Future(loop=_LOOP)
                    else:
                        yield from asyncio.sleep(0)
                except ValueError as e:
                    log.append(("caught in child", str(e)))
                    return "handled"
                finally:
                    log.append("child finally")

            @coroutine
            def outer():
                try:
                    return (yield from child())
                finally:
                    log.append("outer finally")

        else:

            async def child():
                try:
                    if where == "future":
                        await asyncio.Future(loop=_LOOP)
                    else:  # a bare yield is what sleep(0) does underneath
                        await asyncio.sleep(0)
                except ValueError as e:
                    log.append(("caught in child", str(e)))
                    return "handled"
                finally:
                    log.append("child finally")

            async def outer():
                try:
                    return await child()
                finally:
                    log.append("outer finally")

        return outer()

    return make


_LOOP = None


@pytest.fixture
def idle_loop():
    global _LOOP
    _LOOP = asyncio.new_event_loop()
    try:
        yield _LOOP
    finally:
        _LOOP.close()
        _LOOP = None


def _drive(make, action):
    log = []
    coro = make(log)
    log.append(("first send", coro.send(None) is not None))
    try:
        if action == "close":
            log.append(("close", coro.close()))
        elif action == "throw caught":
            coro.throw(ValueError("boom"))
        else:
            coro.throw(KeyError("uncaught"))
    except StopIteration as e:
        log.append(("StopIteration", e.value))
    except KeyError as e:
        log.append(("KeyError", str(e)))
    log.append(("state", coro.cr_frame is None))
    return log


@pytest.mark.parametrize("where", ["bare yield", "sleep(0)", "future"])
@pytest.mark.parametrize("action", ["close", "throw caught", "throw uncaught"])
def test_close_and_throw_on_a_suspended_coroutine(idle_loop, where, action):
    legacy = _drive(_suspender("legacy", where), action)
    native = _drive(_suspender("native", where), action)
    assert legacy == native
    if action == "close":
        assert legacy[1:] == ["child finally", "outer finally", ("close", None), ("state", True)]
    elif action == "throw caught":
        assert ("caught in child", "boom") in legacy
        assert ("StopIteration", "handled") in legacy


def test_throw_lands_at_the_suspension_line(idle_loop):
    for style in ("legacy", "native"):
        coro = _suspender(style, "future")([])
        coro.send(None)
        with pytest.raises(KeyError) as info:
            coro.throw(KeyError("x"))
        # PyPy's Future is pure Python: its __await__ frame comes last there.
        frames = [
            (f.f_code.co_name, line)
            for f, line in traceback.walk_tb(info.tb)
            if os.path.dirname(f.f_code.co_filename) != os.path.dirname(asyncio.__file__)
        ]
        name, line = frames[-1]
        assert name == "child", (style, frames)
        assert "asyncio.Future(loop=_LOOP)" in linecache.getline(__file__, line), style
        assert [f[0] for f in frames[-2:]] == ["outer", "child"], style


# --- threads -----------------------------------------------------------------------------

_where = contextvars.ContextVar("where", default="unset")


@coroutine
def _thread_worker(tag, rounds):
    seen = []
    _where.set(tag)
    for i in range(rounds):
        yield from asyncio.sleep(0)
        seen.append((tag, threading.get_ident(), asyncio.get_running_loop(), _where.get()))
        value = yield from _leaf(i)
        assert value == i
    return seen


def test_loops_in_several_threads_at_once():
    results = {}
    barrier = threading.Barrier(4)

    def run(tag):
        barrier.wait()
        results[tag] = (threading.get_ident(), asyncio.run(_thread_worker(tag, 300)))

    threads = [threading.Thread(target=run, args=(f"t{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["t0", "t1", "t2", "t3"]
    loops = set()
    for tag, (ident, seen) in results.items():
        assert len(seen) == 300
        assert {(s[0], s[1], s[3]) for s in seen} == {(tag, ident, tag)}
        loops |= {id(s[2]) for s in seen}  # the loops are alive: ids are distinct
    assert len(loops) == 4


def test_run_coroutine_threadsafe_from_many_threads():
    loop = asyncio.new_event_loop()
    runner = threading.Thread(target=loop.run_forever)
    runner.start()
    try:
        out = {}

        def submit(tag):
            future = asyncio.run_coroutine_threadsafe(_thread_worker(tag, 50), loop)
            out[tag] = future.result(timeout=60)

        threads = [threading.Thread(target=submit, args=(f"s{i}",)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for tag, seen in out.items():
            assert {(s[0], s[1], s[3]) for s in seen} == {(tag, runner.ident, tag)}
        assert len(out) == 4
    finally:
        loop.call_soon_threadsafe(loop.stop)
        runner.join()
        loop.close()


# --- contextvars -------------------------------------------------------------------------

_var = contextvars.ContextVar("var", default="default")


def _context_scenario(style):
    log = []

    async def native_callee(tag):
        log.append((tag, _var.get()))
        _var.set("set by callee " + tag)  # same context as its caller when awaited

    async def native_task():
        log.append(("task sees", _var.get()))
        _var.set("set in task")

    if style == "legacy":

        @coroutine
        def parent():
            _var.set("parent")
            yield from native_callee("awaited")
            log.append(("after awaited callee", _var.get()))
            _var.set("parent again")
            task = asyncio.ensure_future(native_task())
            _var.set("changed after spawn")
            yield from task
            log.append(("after task", _var.get()))
            yield from asyncio.gather(native_callee("gathered"))
            log.append(("after gather", _var.get()))

    else:

        async def parent():
            _var.set("parent")
            await native_callee("awaited")
            log.append(("after awaited callee", _var.get()))
            _var.set("parent again")
            task = asyncio.ensure_future(native_task())
            _var.set("changed after spawn")
            await task
            log.append(("after task", _var.get()))
            await asyncio.gather(native_callee("gathered"))
            log.append(("after gather", _var.get()))

    async def main():
        await parent()
        log.append(("outside", _var.get()))

    asyncio.run(main())
    return log


def test_contextvars_flow_as_for_native_code():
    legacy = _context_scenario("legacy")
    assert legacy == _context_scenario("native")
    assert ("awaited", "parent") in legacy
    assert ("task sees", "parent again") in legacy
    assert ("after task", "changed after spawn") in legacy
    assert ("outside", "set by callee awaited") not in legacy


# --- KeyboardInterrupt and SystemExit under asyncio.run ---------------------------------

_EXIT_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from legacy_coro import coroutine

    style, exc_name, where = sys.argv[1:]
    exc = {"KeyboardInterrupt": KeyboardInterrupt, "SystemExit": lambda: SystemExit(3)}[exc_name]

    if style == "legacy":
        @coroutine
        def raiser():
            try:
                yield from asyncio.sleep(0)
                raise exc()
            finally:
                print("raiser finally")

        @coroutine
        def bystander():
            try:
                yield from asyncio.sleep(3600)
            finally:
                print("bystander finally")

        @coroutine
        def main():
            other = asyncio.ensure_future(bystander())
            try:
                if where == "task":
                    yield from asyncio.ensure_future(raiser())
                else:
                    yield from raiser()
            finally:
                print("main finally", other.done())
    else:
        async def raiser():
            try:
                await asyncio.sleep(0)
                raise exc()
            finally:
                print("raiser finally")

        async def bystander():
            try:
                await asyncio.sleep(3600)
            finally:
                print("bystander finally")

        async def main():
            other = asyncio.ensure_future(bystander())
            try:
                if where == "task":
                    await asyncio.ensure_future(raiser())
                else:
                    await raiser()
            finally:
                print("main finally", other.done())

    try:
        asyncio.run(main())
    finally:
        print("after run", flush=True)
    """
)


def _exit_outcome(tmp_path, style, exc_name, where):
    script = tmp_path / "exit_script.py"
    script.write_text(_EXIT_SCRIPT)
    proc = subprocess.run(
        [sys.executable, str(script), style, exc_name, where],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),  # keeps LEGACY_CORO_LOOP and PYTHONPATH (uvloop env)
    )
    last = proc.stderr.strip().splitlines()[-1:] if proc.stderr.strip() else []
    return proc.returncode, proc.stdout, last


@pytest.mark.parametrize("where", ["main task", "task"])
@pytest.mark.parametrize("exc_name", ["KeyboardInterrupt", "SystemExit"])
def test_interrupts_propagate_as_from_native(tmp_path, exc_name, where):
    legacy = _exit_outcome(tmp_path, "legacy", exc_name, where)
    native = _exit_outcome(tmp_path, "native", exc_name, where)
    assert legacy == native
    assert "raiser finally" in legacy[1] and "after run" in legacy[1]
    if exc_name == "SystemExit":
        assert legacy[0] == 3
    else:
        assert legacy[0] != 0 and legacy[2] == ["KeyboardInterrupt"]
