"""legacy_coro.install(): each restored behaviour, on every interpreter.

Each case is a small program that old code wrote.  A child interpreter, run
with ``-W error::DeprecationWarning``, runs it three times -- before
install(), with it, after uninstall() -- and reports each outcome
(the value, or the interpreter's own error as ``Type: message``) together with
the objects the patch would replace.  Then:

- where this Python removed the behaviour: the program fails before with the
  interpreter's own error, works installed, and fails after uninstall() with
  exactly the same error;
- where this Python still has it: install() leaves asyncio's objects in
  place (the same objects before, during and after); where the behaviour is
  deprecated the only change is that its DeprecationWarning is silenced.
"""

import json
import os
import re
import subprocess
import sys
import textwrap
import types

import pytest

import legacy_coro
from legacy_coro._versions import change, printed

DRIVER = r'''
import asyncio, json, sys, warnings
import legacy_coro

PROGRAM, WATCH = sys.argv[1], json.loads(sys.argv[2])
# a program failing before it awaits what it made leaves a coroutine behind,
# and 3.10+ asyncio's own error path leaves a half-made subprocess transport
warnings.filterwarnings("ignore", "coroutine '.*' was never awaited", RuntimeWarning)
sys.unraisablehook = lambda unraisable: None
RESET_POLICY = "get_event_loop" in PROGRAM
# the class of the policy in use (uvloop's in the uvloop env); 3.14 deprecates the public
# names, 3.16 has no policy at all (None)
get_policy = (getattr(asyncio.events, "_get_event_loop_policy", None)
              or getattr(asyncio, "get_event_loop_policy", None))
POLICY = type(get_policy()) if get_policy is not None else None


def forget_the_loop():
    """Forget the loop a previous attempt set, keeping the policy's class."""
    set_policy = (getattr(asyncio.events, "_set_event_loop_policy", None)
                  or getattr(asyncio, "set_event_loop_policy", None))
    if POLICY is not None:
        set_policy(POLICY())
        return
    asyncio.events._local = type(asyncio.events._local)()  # 3.16's own thread-local
    if set_policy is not None:  # 3.16 under the layer: a default policy made anew
        set_policy(None)


def attempt():
    if RESET_POLICY:
        forget_the_loop()
    namespace = {"__name__": "__main__", "asyncio": asyncio, "legacy_coro": legacy_coro}
    try:
        exec(PROGRAM, namespace)
        return ["ok", repr(namespace["main"]())]
    except BaseException as exc:
        return ["error", "%s: %s" % (type(exc).__name__, exc)]


def watched():
    return [id(eval(expr)) for expr in WATCH]


out = {"watch_before": watched(), "before": attempt()}
out["keys"] = sorted(legacy_coro.install())
out["installed"] = sorted(legacy_coro.installed())
out["again"] = sorted(legacy_coro.install())  # idempotent
out["watch_during"] = watched()
out["during"] = attempt()
legacy_coro.uninstall()
out["installed_after"] = sorted(legacy_coro.installed())
out["watch_after"] = watched()
out["after"] = attempt()
print(json.dumps(out))
'''


def asyncio_events():
    """Return asyncio.events (imported for a skip condition only)."""
    import asyncio.events

    return asyncio.events


def run_phases(program, watch=()):
    """Run *program* before install(), installed, after uninstall(); return the outcomes."""
    proc = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", DRIVER,
         textwrap.dedent(program), json.dumps(list(watch))],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return json.loads(proc.stdout)


def _addresses(outcome):
    return [outcome[0], re.sub(r"0x[0-9a-fA-F]+", "0x...", outcome[1])]


def check(key, program, value, error, *, deprecated=None, watch=()):
    """Assert the three outcomes for the behaviour removed by change *key*.

    Args:
        value: repr of what the program returns when the behaviour works.
        error: the interpreter's own error (a regular expression matched against
            ``Type: message``) where the behaviour is gone.
        deprecated: the DeprecationWarning, as an error, on versions that still
            have the behaviour but warn (None: no warning expected).
        watch: expressions naming the objects the patch replaces.
    """
    out = run_phases(program, watch)
    assert out["installed_after"] == []
    assert out["keys"] == out["installed"] == out["again"]
    assert out["during"] == ["ok", value]
    if change(key).applies:
        assert key in out["keys"]
        assert out["before"][0] == "error" and re.match(error, out["before"][1]), out["before"]
        assert _addresses(out["after"]) == _addresses(out["before"])  # the same error, unchanged
        assert out["watch_after"] == out["watch_before"]
    else:
        assert key not in out["keys"]
        assert out["watch_during"] == out["watch_before"] == out["watch_after"]
        expected = ["ok", value] if deprecated is None else ["error", deprecated]
        if deprecated is not None and out["before"][0] == "ok":
            expected = ["ok", value]  # this bugfix release does not warn
        assert _addresses(out["before"]) == _addresses(out["after"])
        assert out["before"][0] == expected[0]
        if expected[0] == "error":
            assert re.match(deprecated, out["before"][1]), out["before"]
    return out


RUN = '''
def run(coro):
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()
'''


# ---------------------------------------------------------------------------
# asyncio.coroutine (removed in 3.11)


def test_asyncio_coroutine():
    out = check(
        "asyncio.coroutine",
        RUN + '''
def main():
    @asyncio.coroutine
    def double(x):
        yield from asyncio.sleep(0)
        return 2 * x
    return run(double(21))
''',
        "42",
        r"AttributeError: module 'asyncio' has no attribute 'coroutine'$",
        deprecated=r'DeprecationWarning: "@coroutine" decorator is deprecated since Python 3.8',
        watch=["vars(asyncio).get('coroutine')"],
    )
    if change("asyncio.coroutine").applies:
        assert out["watch_during"] != out["watch_before"]


def test_asyncio_coroutine_is_legacy_coros_where_restored():
    program = '''
def main():
    with legacy_coro.installed_patches():
        return asyncio.coroutine is legacy_coro.coroutine
'''
    out = run_phases(program)
    assert out["during"] == ["ok", repr(change("asyncio.coroutine").applies)]


# ---------------------------------------------------------------------------
# loop= (removed in 3.10)

LOOP_PROGRAMS = {
    "sleep": "return await asyncio.sleep(0, 'slept', loop=loop)",
    "gather": "return await asyncio.gather(asyncio.sleep(0, 1), asyncio.sleep(0, 2), loop=loop)",
    "shield": "return await asyncio.shield(asyncio.sleep(0, 'shielded'), loop=loop)",
    "wait_for": "return await asyncio.wait_for(asyncio.sleep(0, 'w'), 5, loop=loop)",
    "wait": "f = loop.create_future(); f.set_result(1)\n"
            "    done, _ = await asyncio.wait([f], loop=loop)\n"
            "    return [t.result() for t in done]",
    "as_completed": "return [await f for f in asyncio.as_completed([asyncio.sleep(0, 3)],"
                    " loop=loop)]",
    "Queue": "q = asyncio.Queue(1, loop=loop); await q.put('q'); return await q.get()",
    "PriorityQueue": "q = asyncio.PriorityQueue(loop=loop); await q.put(2); return q.get_nowait()",
    "LifoQueue": "q = asyncio.LifoQueue(loop=loop); q.put_nowait(1); return q.qsize()",
    "Lock": "lock = asyncio.Lock(loop=loop)\n    async with lock:\n        return lock.locked()",
    "Event": "e = asyncio.Event(loop=loop); e.set(); return await e.wait()",
    "Condition": "c = asyncio.Condition(loop=loop)\n    async with c:\n        return c.locked()",
    "Semaphore": "s = asyncio.Semaphore(2, loop=loop)\n"
                 "    async with s:\n        return s.locked()",
    "BoundedSemaphore": "s = asyncio.BoundedSemaphore(loop=loop)\n"
                        "    async with s:\n        return s.locked()",
    "open_connection": "async def echo(r, w):\n        w.write(await r.readline()); w.close()\n"
                       "    server = await asyncio.start_server(echo, '127.0.0.1', 0, loop=loop)\n"
                       "    port = server.sockets[0].getsockname()[1]\n"
                       "    r, w = await asyncio.open_connection('127.0.0.1', port, loop=loop)\n"
                       "    w.write(b'hi\\n'); line = await r.readline(); w.close()\n"
                       "    server.close(); await server.wait_closed(); return line",
    "create_subprocess_exec": "import sys\n"
                              "    p = await asyncio.create_subprocess_exec(sys.executable, '-c',"
                              " 'print(7)', stdout=-1, loop=loop)\n"
                              "    out, _ = await p.communicate(); return out.strip()",
}
LOOP_VALUES = {
    "sleep": "'slept'", "gather": "[1, 2]", "shield": "'shielded'", "wait_for": "'w'",
    "wait": "[1]", "as_completed": "[3]", "Queue": "'q'", "PriorityQueue": "2",
    "LifoQueue": "1", "Lock": "True", "Event": "True", "Condition": "True",
    "Semaphore": "False", "BoundedSemaphore": "True", "open_connection": "b'hi\\n'",
    "create_subprocess_exec": "b'7'",
}


@pytest.mark.parametrize("api", sorted(LOOP_PROGRAMS))
def test_loop_argument(api):
    program = RUN + f'''
async def body(loop):
    {LOOP_PROGRAMS[api]}

def main():
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(body(loop))
    finally:
        loop.close()
'''
    owner = "asyncio" if api[0].islower() else f"asyncio.{api}"
    watched = f"vars(asyncio).get('{api}')" if api[0].islower() else f"{owner}.__init__"
    if api.endswith("Queue") and api != "Queue":
        watched = "asyncio.Queue.__init__"
    check(
        "loop-argument", program, LOOP_VALUES[api],
        r"(TypeError|ValueError): .*\bloop\b",  # uvloop: ValueError: unexpected kwargs
        deprecated=r"DeprecationWarning: The loop argument is deprecated since Python 3.8",
        watch=[watched],
    )


def test_loop_argument_error_message_is_the_interpreters():
    out = run_phases(RUN + '''
def main():
    return run(asyncio.sleep(0, loop=None))
''')
    if change("loop-argument").applies:
        assert out["before"] == out["after"] == [
            "error", "TypeError: sleep() got an unexpected keyword argument 'loop'"
        ]


def test_loop_argument_naming_another_loop_is_an_error():
    out = run_phases(RUN + '''
async def body():
    other = asyncio.new_event_loop()
    try:
        return await asyncio.sleep(0, loop=other)
    finally:
        other.close()

def main():
    return run(body())
''')
    if change("loop-argument").applies:
        assert out["during"][0] == "error"
        assert out["during"][1].startswith("RuntimeError: asyncio.sleep(loop=...) got <")
        assert "which is not the running event loop" in out["during"][1]


def test_loop_argument_binds_a_primitive_created_outside_the_loop():
    """Old code made its primitives before the loop ran; they are bound to the loop named."""
    out = run_phases('''
def main():
    loop = asyncio.new_event_loop()
    other = asyncio.new_event_loop()
    lock = asyncio.Lock(loop=other)
    async def use():
        await lock.acquire()
        await lock.acquire()  # waits: the loop check happens here
    try:
        loop.run_until_complete(asyncio.wait_for(use(), 0.5))
    except RuntimeError as exc:
        return "bound to a different event loop" in str(exc)
    finally:
        loop.close()
        other.close()
''')
    if change("loop-argument").applies:
        assert out["during"] == ["ok", "True"]


def test_gather_with_loop_outside_the_running_loop_schedules_on_that_loop():
    out = check(
        "loop-argument",
        '''
def main():
    loop = asyncio.new_event_loop()
    try:
        future = asyncio.gather(asyncio.sleep(0, 'a'), asyncio.sleep(0, 'b'), loop=loop)
        return loop.run_until_complete(future)
    finally:
        loop.close()
''',
        "['a', 'b']",
        r"TypeError: gather\(\) got an unexpected keyword argument 'loop'",
        deprecated=r"DeprecationWarning: The loop argument is deprecated",
    )
    assert out


# ---------------------------------------------------------------------------
# asyncio.wait() given bare coroutines (removed in 3.11)


def test_wait_coroutines():
    check(
        "wait-coroutines",
        RUN + '''
async def phase(i):
    await asyncio.sleep(0)
    return i

def main():
    done, pending = run(asyncio.wait([phase(1), phase(2)]))
    return sorted(t.result() for t in done), pending
''',
        "([1, 2], set())",
        r"TypeError: Passing coroutines is forbidden, use tasks explicitly\.$",
        deprecated=r"DeprecationWarning: The explicit passing of coroutine objects to "
        r"asyncio\.wait\(\) is deprecated",
        # on 3.10 the loop= patch replaces asyncio.wait (its loop= is gone there)
        watch=[] if change("loop-argument").applies else ["vars(asyncio).get('wait')"],
    )


# ---------------------------------------------------------------------------
# with (yield from lock) / with (await lock) (removed in 3.9)


@pytest.mark.parametrize("style", ["yield from", "await"])
@pytest.mark.parametrize("primitive", ["Lock", "Condition", "Semaphore", "BoundedSemaphore"])
def test_with_yield_from_lock(primitive, style):
    if style == "yield from":
        body = '''
    @legacy_coro.coroutine
    def use(lock):
        with (yield from lock):
            inside = lock.locked()
        return inside, lock.locked()
'''
    else:
        body = '''
    async def use(lock):
        with (await lock):
            inside = lock.locked()
        return inside, lock.locked()
'''
    value = "(True, False)"
    error = (
        rf"TypeError: '{primitive}' object is not iterable$" if style == "yield from"
        else rf"TypeError: (object {primitive} can't be used in 'await' expression|"
        rf"'{primitive}' object can't be awaited)$"
    )
    check(
        "with-yield-from-lock",
        RUN + f'''
def main():
{body}
    async def make():
        return asyncio.{primitive}()
    async def go():
        return await use(await make())
    return run(go())
''',
        value, error,
        deprecated=r"DeprecationWarning: 'with .*' is deprecated use 'async with lock' instead",
        watch=["vars(asyncio.locks._ContextManagerMixin).get('__iter__')",
               "vars(asyncio.locks._ContextManagerMixin).get('__await__')"],
    )


# ---------------------------------------------------------------------------
# Task.all_tasks() / Task.current_task() (removed in 3.9)


@pytest.mark.parametrize("method", ["current_task", "all_tasks"])
def test_task_classmethods(method):
    check(
        "Task.all_tasks",
        RUN + f'''
async def body():
    result = asyncio.Task.{method}()
    if isinstance(result, set):
        return len(result) == 1 and asyncio.current_task() in result
    return result is asyncio.current_task()

def main():
    return run(body())
''',
        "True",
        # PyPy's Task is the pure-Python class, named 'Task'
        rf"AttributeError: type object '(_asyncio\.)?Task' has no attribute '{method}'$",
        deprecated=rf"DeprecationWarning: Task.{method}\(\) is deprecated",
        watch=[f"vars(asyncio.Task).get('{method}')"],
    )


def test_task_classmethods_outside_a_task_use_the_current_loop():
    out = run_phases(RUN + '''
def main():
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return asyncio.Task.current_task(), len(asyncio.Task.all_tasks(loop))
    finally:
        asyncio.set_event_loop(None)
        loop.close()
''')
    assert out["during"] == ["ok", "(None, 0)"]


# ---------------------------------------------------------------------------
# get_event_loop() creating a loop, silently (warns from 3.12, raises from 3.14)


#: where get_event_loop() finds the loop when none is running: the default policy
#: class's method (renamed in 3.14), or 3.16's module function (there is no policy)
GET_EVENT_LOOP_HOOK = (
    "vars(asyncio.events.BaseDefaultEventLoopPolicy).get('get_event_loop')"
    if sys.version_info < (3, 14) else
    "vars(asyncio.events._BaseDefaultEventLoopPolicy).get('get_event_loop')"
    if not change("policy-removed").applies else
    "asyncio.events._get_event_loop.__code__"
)


@pytest.mark.parametrize("through", ["get_event_loop", "Future"])
def test_get_event_loop_creates_a_loop_silently(through):
    make = "asyncio.get_event_loop()" if through == "get_event_loop" else (
        "asyncio.Future().get_loop()"
    )
    check(
        "get_event_loop-warns",
        f'''
# get_event_loop
def main():
    loop = {make}
    try:
        return loop.run_until_complete(asyncio.sleep(0, 'ran'))
    finally:
        loop.close()
''',
        "'ran'",
        r"(DeprecationWarning: There is no current event loop|"
        r"RuntimeError: There is no current event loop in thread 'MainThread'\.)$",
        watch=[GET_EVENT_LOOP_HOOK],
    )


def test_get_event_loop_still_raises_outside_the_main_thread():
    out = run_phases('''
# get_event_loop
import threading

def main():
    seen = []
    def worker():
        try:
            asyncio.get_event_loop()
        except RuntimeError as exc:
            seen.append(str(exc))
    thread = threading.Thread(target=worker, name="worker")
    thread.start()
    thread.join()
    return seen
''')
    assert out["during"] == ["ok", repr(["There is no current event loop in thread 'worker'."])]


#: 3.16 has no event loop policies before install(): the restored ones are tested below
NO_POLICIES = pytest.mark.skipif(change("policy-removed").applies,
                                 reason="no event loop policy exists before install()")


@NO_POLICIES
def test_get_event_loop_under_the_policy_in_use():
    """The policy set before install() (uvloop's in the uvloop env) gets 3.10's rule too."""
    out = check(
        "get_event_loop-warns",
        '''
# get_event_loop
def main():
    loop = asyncio.get_event_loop()
    try:
        policy = type(asyncio.events._event_loop_policy).__name__
        return policy, type(loop).__name__, loop.run_until_complete(asyncio.sleep(0, 1))
    finally:
        loop.close()
''',
        repr(("EventLoopPolicy", "Loop", 1) if ON_UVLOOP
             else ("_UnixDefaultEventLoopPolicy", "_UnixSelectorEventLoop", 1)),
        r"(DeprecationWarning: There is no current event loop|"
        r"RuntimeError: There is no current event loop in thread 'MainThread'\.)$",
        watch=["POLICY.get_event_loop", "POLICY.set_event_loop",
               "vars(POLICY).get('get_event_loop')", "vars(POLICY).get('set_event_loop')"],
    )
    if change("get_event_loop-warns").applies:
        assert out["watch_during"][0] != out["watch_before"][0]  # patched where it is looked up


def test_get_event_loop_raises_after_set_event_loop_none():
    """3.10 raised once set_event_loop(None) was called, as asyncio.run() does on exit."""
    out = run_phases('''
# get_event_loop
def main():
    asyncio.run(asyncio.sleep(0))
    try:
        return asyncio.get_event_loop()
    except RuntimeError as exc:
        return str(exc)
''')
    error = ["ok", repr("There is no current event loop in thread 'MainThread'.")]
    assert out["before"] == out["during"] == out["after"] == error


OWN_POLICY = r'''
import asyncio, json, threading
import legacy_coro

set_policy = getattr(asyncio.events, "_set_event_loop_policy", asyncio.set_event_loop_policy)
abstract = (  # 3.14 deprecates the public name
    getattr(asyncio.events, "_AbstractEventLoopPolicy", None) or asyncio.AbstractEventLoopPolicy
)


class OwnPolicy(abstract):
    """Shaped as uvloop 0.22+'s and 3.14's: a loop per thread, no note of set_event_loop()."""

    class _Local(threading.local):
        _loop = None

    def __init__(self):
        self._local = self._Local()

    def get_event_loop(self):
        if self._local._loop is None:
            raise RuntimeError("no loop in %s" % threading.current_thread().name)
        return self._local._loop

    def set_event_loop(self, loop):
        self._local._loop = loop

    def new_event_loop(self):
        return asyncio.SelectorEventLoop()


def attempt():
    set_policy(OwnPolicy())
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError as exc:
        return "RuntimeError: %s" % exc
    try:
        ran = loop.run_until_complete(asyncio.sleep(0, "ran"))
    finally:
        loop.close()
    asyncio.set_event_loop(None)
    try:
        asyncio.get_event_loop()
    except RuntimeError as exc:
        return ran + ", then RuntimeError: %s" % exc
    return ran + ", then a loop"


original = dict(vars(OwnPolicy))
out = {"before": attempt()}
set_policy(OwnPolicy())
legacy_coro.install()
patched = dict(vars(OwnPolicy)) != original
out["during"] = attempt()
legacy_coro.uninstall()
out["after"] = attempt()
out["patched"], out["restored"] = patched, dict(vars(OwnPolicy)) == original
print(json.dumps(out))
'''


@NO_POLICIES
def test_get_event_loop_on_a_policy_class_of_its_own():
    """A policy not derived from asyncio's default one, set before install(), is patched."""
    proc = subprocess.run(
        [sys.executable, "-W", "error", "-c", OWN_POLICY], capture_output=True, text=True,
        timeout=60,
    )
    assert (proc.stderr, proc.returncode) == ("", 0)
    out = json.loads(proc.stdout)
    applies = change("get_event_loop-warns").applies
    assert out["before"] == out["after"] == "RuntimeError: no loop in MainThread"
    assert out["during"] == (
        "ran, then RuntimeError: no loop in MainThread" if applies else out["before"]
    )
    assert out["patched"] is applies
    assert out["restored"] is True


# ---------------------------------------------------------------------------
# Undecorated generators used as coroutines (rejected from 3.12)

GENERATOR = RUN + '''
def legacy_gen(loop):
    fut = loop.create_future()
    loop.call_soon(fut.set_result, 5)
    value = yield from fut   # a plain generator waiting on a future, as 3.4 code did
    yield                    # and giving the loop a turn
    return value
'''


# uvloop's Loop is not an asyncio.BaseEventLoop: its own create_task() and
# run_until_complete() cannot be patched (README, "What install() cannot restore")
ON_UVLOOP = os.environ.get("LEGACY_CORO_LOOP") == "uvloop"
NOT_ON_UVLOOP = pytest.mark.skipif(ON_UVLOOP, reason="uvloop's own create_task()")


#: create_task's message names the generator, which the version table elides
GOT_LEGACY_GEN = " <generator object legacy_gen at 0x"


@pytest.mark.parametrize("entry,call", [
    pytest.param("loop.create_task(legacy_gen(loop))", "create_task(gen)", marks=NOT_ON_UVLOOP),
    ("asyncio.ensure_future(legacy_gen(loop), loop=loop)", "ensure_future(gen)"),
    pytest.param("legacy_gen(loop)", "run_until_complete(gen)", marks=NOT_ON_UVLOOP),
])
def test_generator_given_to_a_task_entry_point(entry, call):
    error = re.escape(printed("generator-rejected", call))
    check(
        "generator-rejected",
        GENERATOR + f'''
def main():
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete({entry})
    finally:
        loop.close()
''',
        "5",
        error + GOT_LEGACY_GEN if call == "create_task(gen)" else error + "$",
        watch=["vars(asyncio.base_events.BaseEventLoop).get('create_task')",
               "vars(asyncio.tasks).get('ensure_future')"],
    )


def test_generator_given_to_asyncio_create_task():
    check(
        "generator-rejected",
        GENERATOR + '''
def main():
    async def body():
        return await asyncio.create_task(legacy_gen(asyncio.get_running_loop()))
    return run(body())
''',
        "5",
        re.escape(printed("generator-rejected", "create_task(gen)")) + GOT_LEGACY_GEN,
        watch=["vars(asyncio.tasks).get('create_task')"],
    )


@NOT_ON_UVLOOP
def test_generator_given_to_asyncio_run():
    check(
        "generator-rejected",
        GENERATOR + '''
def main():
    async def driver():
        return await asyncio.gather(legacy_gen(asyncio.get_running_loop()))
    def outer():
        return (yield from legacy_gen(asyncio.get_event_loop()))
    return asyncio.run(outer())
''',
        "5",
        # 3.14's asyncio.run() takes any awaitable and says so; 3.12/3.13 raised ValueError
        re.escape(printed("asyncio.run-awaitable")) + "$"
        if change("asyncio.run-awaitable").applies
        else re.escape(printed("generator-rejected", "asyncio.run(gen)")) + ", got <generator",
    )


# ---------------------------------------------------------------------------
# The switch itself


def test_nothing_changes_at_import():
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; before = 'asyncio' in sys.modules; "
         "import legacy_coro; print(before == ('asyncio' in sys.modules), "
         "sorted(legacy_coro.installed()))"],
        capture_output=True, text=True, check=True,
    )
    assert proc.stdout == "True []\n"


def test_installed_names_the_changes_this_python_has():
    out = run_phases("def main():\n    return 0\n")
    from legacy_coro._compat import PATCHES

    # opt-in changes are restored only when asked (tests/test_layer.py); a
    # deprecation that removes nothing has nothing to restore (only a warning silenced)
    assert out["keys"] == sorted(p.key for p in PATCHES
                                 if change(p.key).applies and not change(p.key).opt_in
                                 and not p.deprecation)
    assert any(p.deprecation for p in PATCHES)


def test_context_manager_keeps_an_outer_install():
    out = run_phases('''
def main():
    outer = legacy_coro.installed()
    with legacy_coro.installed_patches() as keys:
        inner = legacy_coro.installed()
    return outer == keys == inner == legacy_coro.installed()
''')
    assert out["during"] == ["ok", "True"]


def test_install_is_thread_safe():
    out = run_phases('''
import threading

def main():
    legacy_coro.uninstall()
    barrier = threading.Barrier(8)
    def worker():
        barrier.wait()
        legacy_coro.install()
    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    legacy_coro.uninstall()  # once is enough to undo eight installs
    return vars(asyncio).get('coroutine') is None or sys.version_info < (3, 11)
import sys
''')
    assert out["during"] == ["ok", "True"]


# ---------------------------------------------------------------------------
# Undecorated generators yielding from coroutines (refused since 3.7 for
# asyncio's own helpers, and for legacy coroutines, which legacy_coro makes
# native): the program's own generator code is flagged as it is loaded.

PLAIN_MODULE = '''
import asyncio
import legacy_coro

@legacy_coro.coroutine
def decorated():
    yield from asyncio.sleep(0)
    return 1

def plain():                       # undecorated, as old code often was
    a = yield from decorated()
    yield from asyncio.sleep(0)
    return a + 1

def counting():                    # an ordinary generator stays one
    yield 1
    yield 2

@legacy_coro.coroutine
def driver():
    return (yield from plain())
'''


def test_plain_generator_yields_from_coroutines_in_modules_imported_after_install(tmp_path):
    (tmp_path / "oldmod.py").write_text(PLAIN_MODULE, encoding="utf-8")
    out = check(
        "plain-generator-await",
        f'''
import sys, importlib
sys.path.insert(0, {str(tmp_path)!r})

def main():
    sys.modules.pop("oldmod", None)
    mod = importlib.import_module("oldmod")
    loop = asyncio.new_event_loop()
    try:
        return list(mod.counting()), loop.run_until_complete(mod.driver())
    finally:
        loop.close()
''',
        "([1, 2], 2)",
        r"TypeError: cannot 'yield from' a coroutine object in a non-coroutine generator$",
    )
    assert out


def test_plain_generator_in_the_script_run_by_legacy_coro_run(tmp_path):
    script = tmp_path / "old.py"
    script.write_text(PLAIN_MODULE + '''
loop = asyncio.new_event_loop()
print(list(counting()), loop.run_until_complete(driver()))
loop.close()
''', encoding="utf-8")
    plain = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert plain.returncode == 1
    assert plain.stderr.splitlines()[-1] == (
        "TypeError: cannot 'yield from' a coroutine object in a non-coroutine generator"
    )
    legacy = subprocess.run(
        [sys.executable, "-W", "error", "-m", "legacy_coro", "run", str(script)],
        capture_output=True, text=True,
    )
    assert (legacy.stdout, legacy.stderr, legacy.returncode) == ("[1, 2] 2\n", "", 0)


def test_library_modules_are_not_flagged():
    out = run_phases('''
def main():
    import sys
    sys.modules.pop("email.feedparser", None)
    import email.feedparser
    return bool(email.feedparser.FeedParser._parsegen.__code__.co_flags & 0x100)
''')
    assert out["during"] == ["ok", "False"]


def _codes(value, seen=None):
    """Every code object *value* runs: its own, and those of the functions it closes over."""
    seen = set() if seen is None else seen
    if isinstance(value, types.CodeType):
        return [value]
    if isinstance(value, (classmethod, staticmethod)):
        value = value.__func__
    if not isinstance(value, types.FunctionType) or id(value) in seen:
        return []
    if seen and not os.path.abspath(value.__code__.co_filename).startswith(_PACKAGE_DIR):
        return []  # closed over, and not legacy_coro's (pytest's own function)
    seen.add(id(value))
    codes = [value.__code__]
    for cell in value.__closure__ or ():
        try:
            codes.extend(_codes(cell.cell_contents, seen))
        except ValueError:  # an empty cell
            pass
    return codes


_PACKAGE_DIR = os.path.dirname(os.path.abspath(legacy_coro.__file__)) + os.sep


def _records(code):
    return any("record" in name for name in code.co_freevars + code.co_names)


def test_without_a_report_the_patches_carry_no_recording_code():
    """install() without a recorder puts in variants that do not even test a flag."""
    from legacy_coro._compat import PATCHES, settings_of

    for patch in PATCHES:
        for setting in settings_of(patch, None):
            for code in _codes(setting.value):
                assert not _records(code), (patch.key, setting.name, code)
        recording = [
            code for setting in settings_of(patch, lambda api, key: None)
            for code in _codes(setting.value) if _records(code)
        ]
        # nothing to count: bytecode-level, and a class's bases; and a deprecated
        # name that this Python removed (its "-removed" row's patch counts it)
        removed = patch.key.replace("-deprecated", "-removed")
        if patch.key not in ("plain-generator-await", "CancelledError-base") and not (
                patch.deprecation and change(removed).applies):
            assert recording, patch.key


def test_wait_given_a_single_coroutine_keeps_asyncios_error():
    out = run_phases(RUN + '''
async def phase():
    return 1

def main():
    return run(asyncio.wait(phase()))
''')
    assert out["during"] == out["before"]
    assert out["during"][0] == "error" and out["during"][1].startswith("TypeError: ")


# ---------------------------------------------------------------------------
# Deprecations that remove nothing yet (3.14): the policy functions and classes,
# asyncio.iscoroutinefunction.  Old code ran without these warnings; install()
# silences them and changes nothing else.


DEPRECATED_BUT_THERE = [
    pytest.param("policy-deprecated", '''
def main():
    policy = asyncio.get_event_loop_policy()
    asyncio.set_event_loop_policy(None)
    return (isinstance(policy, asyncio.AbstractEventLoopPolicy),
            asyncio.DefaultEventLoopPolicy is type(asyncio.get_event_loop_policy()))
''', "(True, True)", "asyncio.get_event_loop_policy", id="policy"),
    pytest.param("iscoroutinefunction-deprecated", '''
@legacy_coro.coroutine
def legacy():
    yield

async def native():
    pass

def main():
    return [asyncio.iscoroutinefunction(f) for f in (legacy, native, print)]
''', "[True, True, False]", "asyncio.iscoroutinefunction", id="iscoroutinefunction"),
]


@pytest.mark.parametrize("key, program, value, name", DEPRECATED_BUT_THERE)
def test_deprecation_only_is_silenced_and_nothing_else_changes(key, program, value, name):
    if change(key.replace("-deprecated", "-removed")).applies:
        pytest.skip("removed on this Python (test_policies_put_back, "
                    "test_iscoroutinefunction_put_back)")
    out = run_phases(program, watch=[name])
    assert out["during"] == ["ok", value]
    assert out["watch_before"] == out["watch_during"] == out["watch_after"]
    assert key not in out["keys"]  # nothing restored: the names are still there
    if change(key).applies:
        assert out["before"] == out["after"], out
        assert out["before"][0] == "error", out
        assert out["before"][1].startswith(f"DeprecationWarning: '{name}' is deprecated"), out
        assert "is deprecated and slated for removal in Python 3.16" in out["before"][1], out
    else:
        assert out["before"] == out["after"] == ["ok", value]


def test_deprecation_only_calls_are_in_the_porting_report(tmp_path):
    report = tmp_path / "report.json"
    script = tmp_path / "old.py"
    script.write_text(textwrap.dedent('''
        import asyncio
        asyncio.get_event_loop_policy()
        asyncio.iscoroutinefunction(print)
        asyncio.iscoroutinefunction(print)
        print("ran")
    '''))
    env = dict(os.environ, LEGACY_CORO_REPORT=str(report))
    done = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-m", "legacy_coro",
                           "run", str(script)], capture_output=True, text=True, env=env,
                          timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, "ran\n", "")
    uses = report.read_text()
    for key in ("policy-deprecated", "iscoroutinefunction-deprecated"):
        removed = key.replace("-deprecated", "-removed")
        if change(removed).applies:  # the names are gone: their uses count under that row
            assert key not in uses and removed in uses, (key, uses)
        else:
            assert (key in uses) == change(key).applies, (key, uses)


# ---------------------------------------------------------------------------
# Generator objects are coroutines again (3.12): asyncio.Task(), iscoroutine()


def test_generator_given_to_asyncio_task_itself():
    """The C Task asks asyncio.iscoroutine(); its cache forgets generators at uninstall()."""
    check(
        "generator-rejected",
        GENERATOR + '''
def main():
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(asyncio.Task(legacy_gen(loop), loop=loop))
    finally:
        loop.close()
''',
        "5",
        re.escape(printed("generator-rejected", "asyncio.Task(gen)")) + GOT_LEGACY_GEN,
    )


def test_iscoroutine_is_true_for_generator_objects_as_through_311():
    """The aiohttp 1.x/2.x dispatch: run a handler's result when it is a coroutine."""
    out = run_phases(RUN + '''
def handler(request):  # an undecorated generator, as those frameworks took them
    yield
    return "response to " + request

def dispatch(request):
    result = handler(request)
    if asyncio.iscoroutine(result):
        result = yield from result
    return result

def main():
    return repr(run(dispatch("GET /"))) if asyncio.iscoroutine(dispatch("GET /")) \
        else "not a coroutine"
''')
    applies = change("generator-rejected").applies
    assert out["during"] == ["ok", repr(repr("response to GET /"))]
    native = ["ok", repr("not a coroutine")] if applies else out["during"]
    assert out["before"] == out["after"] == native


# ---------------------------------------------------------------------------
# Names old code reached through asyncio's submodules (gone from 3.8)


def test_names_reached_through_submodules():
    check(
        "submodule-names",
        RUN + '''
async def cancelled():
    raise asyncio.CancelledError()

def main():
    try:
        run(cancelled())
    except asyncio.futures.CancelledError:   # an old server's except clause
        caught = "cancelled"
    from asyncio.futures import TimeoutError as FuturesTimeout
    return (caught, FuturesTimeout is asyncio.TimeoutError,
            asyncio.streams.IncompleteReadError is asyncio.IncompleteReadError,
            asyncio.base_futures.InvalidStateError is asyncio.InvalidStateError)
''',
        "('cancelled', True, True, True)",
        re.escape(printed("submodule-names")) + "$",
    )


def test_names_reached_through_submodules_are_in_the_porting_report(tmp_path):
    report = tmp_path / "report.json"
    script = tmp_path / "old.py"
    script.write_text("import asyncio\nprint(asyncio.futures.TimeoutError.__name__)\n")
    env = dict(os.environ, LEGACY_CORO_REPORT=str(report))
    done = subprocess.run([sys.executable, "-m", "legacy_coro", "run", str(script)],
                          capture_output=True, text=True, env=env, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, "TimeoutError\n", "")
    uses = json.loads(report.read_text())["uses"]
    expected = [("asyncio.futures.TimeoutError", 2)] if change("submodule-names").applies else []
    assert [(u["api"], u["line"]) for u in uses] == expected


# ---------------------------------------------------------------------------
# Event loop policies and asyncio.iscoroutinefunction (3.14 deprecated, 3.16 removed)


POLICIES = RUN + '''
# get_event_loop
class CountingPolicy(asyncio.DefaultEventLoopPolicy):
    """An old program's policy: asyncio's default one, counting the loops it makes."""
    made = 0

    def new_event_loop(self):
        CountingPolicy.made += 1
        return super().new_event_loop()


def main():
    default = asyncio.get_event_loop_policy()
    asyncio.set_event_loop_policy(CountingPolicy())
    loop = asyncio.get_event_loop()          # made by the policy
    try:
        first = loop.run_until_complete(asyncio.sleep(0, "ran"))
    finally:
        loop.close()
    asyncio.set_event_loop(None)

    async def running():
        return type(asyncio.get_running_loop()).__name__

    ran = asyncio.run(running())             # its loop made by the policy too
    made = CountingPolicy.made
    asyncio.set_event_loop_policy(None)      # back to the default policy
    return (isinstance(default, asyncio.AbstractEventLoopPolicy), first, ran, made,
            type(asyncio.get_event_loop_policy()) is asyncio.DefaultEventLoopPolicy)
'''


#: the row's symptom, for whichever of the policy names a program reaches first
POLICY_GONE = re.escape(printed("policy-removed")).replace("get_event_loop_policy",
                                                           r"\w*(policy|Policy)") + "$"


def test_event_loop_policies():
    check(
        "policy-removed", POLICIES, "(True, 'ran', '_UnixSelectorEventLoop', 2, True)",
        POLICY_GONE,
        # 3.12/3.13 warn of the loop get_event_loop() makes, 3.14/3.15 of the policy first
        deprecated=r"DeprecationWarning: ('asyncio\.\w+' is deprecated and slated for removal "
                   r"in Python 3\.16|There is no current event loop)$",
    )


POLICY_OF_ITS_OWN = '''
import threading

class OwnPolicy(asyncio.AbstractEventLoopPolicy):
    """A policy not derived from asyncio's default one (uvloop 0.22's shape)."""

    class _Local(threading.local):
        _loop = None

    def __init__(self):
        self._local = self._Local()

    def get_event_loop(self):
        if self._local._loop is None:
            raise RuntimeError("no loop in %s" % threading.current_thread().name)
        return self._local._loop

    def set_event_loop(self, loop):
        self._local._loop = loop

    def new_event_loop(self):
        loop = asyncio.SelectorEventLoop()
        loop.made_by = "OwnPolicy"
        return loop


def main():
    asyncio.set_event_loop_policy(OwnPolicy())
    try:
        asyncio.get_event_loop()
    except RuntimeError as exc:
        refused = str(exc)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        same = asyncio.get_event_loop() is loop
        made = loop.made_by
    finally:
        asyncio.set_event_loop(None)
        loop.close()
        asyncio.set_event_loop_policy(None)
    try:
        asyncio.set_event_loop_policy(object())
    except (TypeError, AssertionError) as exc:  # 3.8-3.10 asserted
        wrong = str(exc) or type(exc).__name__
    return refused, same, made, wrong
'''


def test_a_policy_of_its_own_makes_and_keeps_the_loops():
    check(
        "policy-removed", POLICY_OF_ITS_OWN,
        repr(("no loop in MainThread", True, "OwnPolicy",
              "AssertionError" if sys.version_info < (3, 11) else
              "policy must be an instance of AbstractEventLoopPolicy or None, not 'object'")),
        POLICY_GONE,
        deprecated=r"DeprecationWarning: 'asyncio\.\w+' is deprecated",
    )


@pytest.mark.skipif(not hasattr(os, "fork") or not hasattr(asyncio_events(), "on_fork"),
                    reason="a forked child keeps the parent's loop before 3.12 (no on_fork)")
def test_a_forked_child_does_not_get_the_parents_loop():
    program = '''
import asyncio, os, sys, warnings
warnings.simplefilter("ignore", DeprecationWarning)
import legacy_coro
legacy_coro.install()
loop = asyncio.get_event_loop()
pid = os.fork()
if pid == 0:
    child = asyncio.get_event_loop()
    os._exit(0 if child is not loop else 1)
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status))
'''
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=60)
    assert (done.stdout, done.returncode) == ("0\n", 0), done.stderr


def test_asyncio_iscoroutinefunction():
    check(
        "iscoroutinefunction-removed",
        '''
@legacy_coro.coroutine
def legacy():
    yield

async def native():
    pass

def marked():
    pass

def main():
    iscoroutinefunction = asyncio.iscoroutinefunction
    marked._is_coroutine = asyncio.coroutines._is_coroutine  # how old frameworks marked one
    return [iscoroutinefunction(f) for f in (legacy, native, marked, print)]
''',
        "[True, True, True, False]",
        re.escape(printed("iscoroutinefunction-removed")) + "$",
        deprecated=r"DeprecationWarning: 'asyncio\.iscoroutinefunction' is deprecated",
    )
