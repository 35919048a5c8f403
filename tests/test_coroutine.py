"""legacy_coro.coroutine behaves as Python 3.10's asyncio.coroutine did, on every version."""

import asyncio
import concurrent.futures
import functools
import inspect
import os
import re
import sys
import threading
import traceback
import warnings

import pytest

import legacy_coro
from legacy_coro import coroutine


def run(coro):
    return asyncio.run(coro)


@coroutine
def double(x):
    yield from asyncio.sleep(0)
    return x * 2


@coroutine
def no_suspend(x):
    return x + 1
    yield  # noqa: B901 - makes this a generator function that never suspends


# --- every asyncio entry point accepts a legacy coroutine ----------------------------------


def test_asyncio_run():
    assert asyncio.run(double(2)) == 4


def test_run_until_complete():
    loop = asyncio.new_event_loop()
    try:
        assert loop.run_until_complete(double(3)) == 6
    finally:
        loop.close()


@pytest.mark.parametrize(
    "spawn",
    [
        pytest.param(lambda c: asyncio.create_task(c), id="asyncio.create_task"),
        pytest.param(lambda c: asyncio.get_running_loop().create_task(c), id="loop.create_task"),
        pytest.param(lambda c: asyncio.ensure_future(c), id="ensure_future"),
        pytest.param(lambda c: asyncio.gather(c), id="gather"),
        pytest.param(lambda c: asyncio.wait_for(c, 5), id="wait_for"),
        pytest.param(lambda c: asyncio.shield(c), id="shield"),
    ],
)
def test_entry_points(spawn):
    async def main():
        result = await spawn(double(5))
        return result

    result = run(main())
    assert result in (10, [10])


def test_tasks_are_real_tasks_with_native_repr():
    async def main():
        task = asyncio.ensure_future(double(1))
        assert isinstance(task, asyncio.Task)
        await asyncio.sleep(0)
        text = repr(task)
        await task
        return text

    text = run(main())
    line = double.__code__.co_firstlineno
    # The coroutine is suspended on its first line of body, inside the user's file.
    assert f"coro=<double() running at {__file__}:" in text
    assert "_wrap_awaitable" not in text
    assert int(text.split(f"{__file__}:")[1].split(">")[0]) in (line + 2, line + 1)


def test_as_completed_and_wait():
    async def main():
        results = []
        for fut in asyncio.as_completed([double(1), double(2)]):
            results.append(await fut)
        tasks = [asyncio.ensure_future(double(i)) for i in range(3)]
        done, pending = await asyncio.wait(tasks)
        return sorted(results), sorted(t.result() for t in done), pending

    assert run(main()) == ([2, 4], [0, 2, 4], set())


def test_run_coroutine_threadsafe():
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever)
    thread.start()
    try:
        future = asyncio.run_coroutine_threadsafe(double(21), loop)
        assert future.result(timeout=10) == 42
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


@pytest.mark.skipif(sys.version_info < (3, 11), reason="TaskGroup is new in 3.11")
def test_task_group():
    async def main():
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(double(i)) for i in range(3)]
        return [t.result() for t in tasks]

    assert run(main()) == [0, 2, 4]


# --- both directions of delegation ---------------------------------------------------------


def test_native_awaits_legacy_and_legacy_yields_from_native():
    async def native(x):
        return await double(x) + 1

    @coroutine
    def legacy(x):
        value = yield from native(x)
        return value * 10

    assert run(legacy(1)) == 30


def test_yield_from_every_kind_of_awaitable():
    def undecorated():
        yield  # one loop turn
        return "gen"

    @coroutine
    def legacy():
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        loop.call_soon(fut.set_result, "future")
        a = yield from fut
        b = yield from asyncio.ensure_future(double(1))
        c = yield from asyncio.sleep(0, result="native")
        d = yield from double(2)
        e = yield from undecorated()
        return a, b, c, d, e

    assert run(legacy()) == ("future", 2, "native", 4, "gen")


def _interleaving(ceder):
    events = []

    async def main():
        async def worker(name):
            for i in range(3):
                events.append((name, i))
                await ceder()

        await asyncio.gather(worker("a"), worker("b"), ceder_task())

    async def ceder_task():
        for i in range(3):
            events.append(("c", i))
            await asyncio.sleep(0)

    asyncio.run(main())
    return events


def test_bare_yield_interleaves_exactly_as_sleep_0():
    @coroutine
    def legacy_cede():
        yield

    native = _interleaving(lambda: asyncio.sleep(0))
    legacy = _interleaving(legacy_cede)
    assert legacy == native
    assert native[:3] == [("a", 0), ("b", 0), ("c", 0)]


def test_exceptions_travel_both_ways():
    @coroutine
    def fails():
        yield from asyncio.sleep(0)
        raise KeyError("inner")

    @coroutine
    def catches():
        try:
            yield from fails()
        except KeyError as exc:
            return "caught " + str(exc)

    async def native_fails():
        raise ValueError("native")

    @coroutine
    def catches_native():
        try:
            yield from native_fails()
        except ValueError as exc:
            return "caught " + str(exc)

    assert run(catches()) == "caught 'inner'"
    assert run(catches_native()) == "caught native"
    with pytest.raises(KeyError):
        run(fails())


def test_cancellation_arrives_at_suspension_point_and_finally_runs():
    events = []

    @coroutine
    def victim():
        try:
            events.append("start")
            yield from asyncio.sleep(10)
            events.append("not reached")
        except asyncio.CancelledError:
            events.append("cancelled at sleep")
            raise
        finally:
            events.append("finally")

    async def main():
        task = asyncio.ensure_future(victim())
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return task.cancelled()

    assert run(main()) is True
    assert events == ["start", "cancelled at sleep", "finally"]


# --- non-generator functions, async def, methods -------------------------------------------


def test_non_generator_results_are_awaited_as_310_did():
    @coroutine
    def returns_future():
        fut = asyncio.get_running_loop().create_future()
        fut.set_result("from future")
        return fut

    @coroutine
    def returns_native_coroutine():
        return asyncio.sleep(0, result="from coroutine")

    def plain_generator():
        yield
        return "from generator"

    @coroutine
    def returns_generator():
        return plain_generator()

    class Awaitable:
        def __await__(self):
            yield
            return "from awaitable"

    @coroutine
    def returns_awaitable():
        return Awaitable()

    @coroutine
    def returns_value():
        return [1, 2]

    async def main():
        return [
            await returns_future(),
            await returns_native_coroutine(),
            await returns_generator(),
            await returns_awaitable(),
            await returns_value(),
        ]

    assert run(main()) == [
        "from future", "from coroutine", "from generator", "from awaitable", [1, 2]
    ]


def test_non_generator_body_runs_only_when_awaited():
    calls = []

    @coroutine
    def plain():
        calls.append(1)
        return 5

    coro = plain()
    assert calls == []
    assert run(coro) == 5
    assert calls == [1]


def test_async_def_returned_unchanged():
    async def native():
        return 1

    assert coroutine(native) is native


def test_metadata_kept():
    def gen(a, b=2, *, c=3):
        """Doc."""
        yield

    gen.custom = "attr"
    decorated = coroutine(gen)
    assert decorated.__name__ == "gen"
    assert decorated.__qualname__ == gen.__qualname__
    assert decorated.__doc__ == "Doc."
    assert decorated.__module__ == __name__
    assert decorated.__wrapped__ is gen
    assert decorated.custom == "attr"
    assert decorated.__defaults__ == (2,)
    assert decorated.__kwdefaults__ == {"c": 3}
    assert inspect.signature(decorated) == inspect.signature(gen)

    def plain(x):
        """Plain doc."""

    wrapped = coroutine(plain)
    assert wrapped.__name__ == "plain"
    assert wrapped.__doc__ == "Plain doc."
    assert wrapped.__wrapped__ is plain


def test_methods_static_and_class_methods():
    class Service:
        factor = 3

        def __init__(self):
            self.base = 1

        @coroutine
        def method(self, x):
            yield from asyncio.sleep(0)
            return self.base + x

        @staticmethod
        @coroutine
        def static(x):
            yield from asyncio.sleep(0)
            return x

        @classmethod
        @coroutine
        def klass(cls, x):
            yield from asyncio.sleep(0)
            return cls.factor * x

        # The other stacking order, which 3.10 mishandled for staticmethod.
        @coroutine
        @staticmethod
        def static_outer(x):
            yield from asyncio.sleep(0)
            return -x

        @coroutine
        @classmethod
        def klass_outer(cls, x):
            yield from asyncio.sleep(0)
            return cls.factor + x

    service = Service()

    async def main():
        return [
            await service.method(1),
            await Service.static(2),
            await service.static(2),
            await Service.klass(2),
            await service.static_outer(4),
            await Service.klass_outer(4),
        ]

    assert run(main()) == [2, 2, 2, 6, -4, 7]


def test_decorating_twice_is_harmless():
    twice = coroutine(coroutine(double.__wrapped__))
    assert run(twice(4)) == 8


def test_callable_objects_and_partials():
    @coroutine
    def add(a, b):
        yield from asyncio.sleep(0)
        return a + b

    partial = coroutine(functools.partial(add, 1))
    assert run(partial(2)) == 3


# --- predicates ----------------------------------------------------------------------------


def test_iscoroutinefunction_everywhere():
    if hasattr(asyncio, "iscoroutinefunction"):  # 3.16 removed it
        with warnings.catch_warnings():
            # 3.14 deprecates asyncio.iscoroutinefunction; the answer is what matters here.
            warnings.simplefilter("ignore", DeprecationWarning)
            assert asyncio.iscoroutinefunction(double)
            assert asyncio.iscoroutinefunction(coroutine(lambda: 1))
    assert inspect.iscoroutinefunction(double)
    assert inspect.iscoroutinefunction(coroutine(lambda: 1))
    assert legacy_coro.iscoroutinefunction(double)

    async def native():
        pass

    assert legacy_coro.iscoroutinefunction(native)

    import types

    @types.coroutine
    def iterable_coroutine():
        yield

    assert legacy_coro.iscoroutinefunction(iterable_coroutine)
    assert not legacy_coro.iscoroutinefunction(lambda: 1)

    def gen():
        yield

    assert not legacy_coro.iscoroutinefunction(gen)


def test_iscoroutine_as_310():
    async def native():
        pass

    def gen():
        yield

    for obj in (double(1), native(), gen()):
        assert legacy_coro.iscoroutine(obj)
        obj.close()
    assert not legacy_coro.iscoroutine(1)
    assert not legacy_coro.iscoroutine(double)


# --- invisibility --------------------------------------------------------------------------

#: The installed package's own directory.  Frames are compared against it, not
#: against the word "legacy_coro", which the checkout's path may contain too
#: (``git clone`` names the folder legacy_coro).
PACKAGE_DIR = os.path.dirname(os.path.abspath(legacy_coro.__file__))


def _ours(filename):
    """True for a frame of legacy_coro's own: its modules, or an unrelocated template."""
    if filename.startswith("<"):
        return "legacy_coro" in filename  # e.g. "<legacy_coro wrapper>"
    return os.path.dirname(os.path.abspath(filename)) == PACKAGE_DIR


def test_traceback_shows_user_frames_only():
    @coroutine
    def level2():
        yield from asyncio.sleep(0)
        raise RuntimeError("deep")

    @coroutine
    def level1():
        yield from level2()

    @coroutine
    def plain_wrapper():
        return level1()

    with pytest.raises(RuntimeError) as info:
        run(plain_wrapper())
    frames = traceback.extract_tb(info.value.__traceback__)
    names = [f.name for f in frames]
    files = {f.filename for f in frames}
    assert not any(_ours(name) for name in files), files
    assert names[-3:] == ["plain_wrapper", "level1", "level2"][-3:] or names[-4:] == [
        "plain_wrapper", "plain_wrapper", "level1", "level2"
    ]
    assert all(f.filename == __file__ for f in frames if f.name in ("level1", "level2"))


def test_plain_wrapper_frame_points_at_the_decorator_line():
    @coroutine
    def plain_fails():
        raise ValueError("x")

    with pytest.raises(ValueError) as info:
        run(plain_fails())
    frames = traceback.extract_tb(info.value.__traceback__)
    wrapper_frame = [f for f in frames if f.name == "plain_fails"][0]
    assert wrapper_frame.filename == __file__
    assert wrapper_frame.line == "@coroutine"
    text = "".join(traceback.format_exception(*info._excinfo))
    shown = re.findall(r'^  File "([^"]*)", line \d+, in (\S+)$', text, re.MULTILINE)
    assert len(shown) == len(frames), text
    assert not any(_ours(filename) for filename, _ in shown), text
    # nothing of the shim's own code shows either (the template's names and source)
    assert not any(name in ("wrapper", "_make", "_await_target") for _, name in shown), text
    assert "_target(res)" not in text and "yield from it" not in text, text


def test_never_awaited_warns_like_native():
    import gc

    def drop(factory):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            factory()
            gc.collect()
        return [str(w.message) for w in caught if w.category is RuntimeWarning]

    async def native():
        pass

    assert drop(native) == [f"coroutine '{native.__qualname__}' was never awaited"]
    assert drop(lambda: double(1)) == ["coroutine 'double' was never awaited"]
    plain = coroutine(lambda: 1)
    assert drop(plain) == [f"coroutine '{plain.__qualname__}' was never awaited"]
    assert plain.__qualname__.endswith("<lambda>")


# --- bad input -----------------------------------------------------------------------------


def test_decorating_non_callable_is_a_clear_type_error():
    with pytest.raises(TypeError, match=r"expects a function to decorate, got int 42"):
        coroutine(42)


def test_yield_value_fails_with_asyncios_own_message():
    @coroutine
    def bad():
        yield 5

    with pytest.raises(RuntimeError, match=r"Task got bad yield: 5"):
        run(bad())


def test_yield_future_without_from_fails_with_asyncios_own_message():
    @coroutine
    def bad():
        fut = asyncio.get_running_loop().create_future()
        yield fut

    with pytest.raises(RuntimeError, match=r"yield was used instead of yield from in task"):
        run(bad())


# --- the documented differences from 3.10: loud failures -----------------------------------


def test_plain_generator_yield_from_legacy_fails_loudly():
    def undecorated():
        result = yield from double(1)
        return result

    @coroutine
    def caller():
        return (yield from undecorated())

    import gc

    with pytest.warns(RuntimeWarning, match=r"coroutine 'double' was never awaited"):
        with pytest.raises(
            TypeError, match=r"cannot 'yield from' a coroutine object in a non-coroutine generator"
        ):
            run(caller())
        gc.collect()
        gc.collect()  # PyPy runs a finalizer one collection after it finds the object dead
    # The fix the README names: decorate the helper.
    fixed = coroutine(undecorated)

    @coroutine
    def caller_fixed():
        return (yield from fixed())

    assert run(caller_fixed()) == 2


def test_next_on_a_legacy_coroutine_fails_loudly():
    coro = double(1)
    try:
        with pytest.raises(TypeError, match=r"'coroutine' object is not an iterator"):
            next(coro)
        # The fix: drive it with send(None), as a coroutine.
        with pytest.raises(StopIteration):
            while True:
                coro.send(None)
    finally:
        coro.close()


def test_executor_futures_can_be_yielded_from():
    @coroutine
    def in_thread():
        loop = asyncio.get_running_loop()
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            value = yield from loop.run_in_executor(pool, sum, [1, 2, 3])
        return value

    assert run(in_thread()) == 6


def test_no_suspend_chain():
    @coroutine
    def chain(n):
        if n == 0:
            return 0
        value = yield from chain(n - 1)
        return value + 1

    assert run(chain(200)) == 200
    assert run(no_suspend(1)) == 2


def test_stop_iteration_inside_becomes_runtime_error():
    @coroutine
    def raises_stop():
        yield from asyncio.sleep(0)
        raise StopIteration

    with pytest.raises(RuntimeError, match=r"coroutine raised StopIteration"):
        run(raises_stop())


def test_task_get_stack_shows_the_legacy_frame():
    @coroutine
    def sleeper():
        yield from asyncio.sleep(10)

    async def main():
        task = asyncio.ensure_future(sleeper())
        await asyncio.sleep(0)
        stack = task.get_stack()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return stack

    stack = run(main())
    assert [frame.f_code.co_name for frame in stack] == ["sleeper"]
    assert stack[0].f_code.co_filename == __file__


def test_original_function_left_unchanged():
    def gen():
        yield

    decorated = coroutine(gen)
    assert decorated is not gen
    assert inspect.isgeneratorfunction(gen)
    assert not inspect.isgeneratorfunction(decorated)
