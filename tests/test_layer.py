"""The compat layer on whole old code bases: modules, site-packages, pytest suites.

Each case writes a small old program (and the modules it imports) to a
temporary directory and runs it in a child interpreter, plainly and under
``python -m legacy_coro run``, and compares what each prints.  The child sees
legacy_coro through PYTHONPATH, wherever it is installed.
"""

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import LOOP

import legacy_coro
from legacy_coro._compile import compile_source
from legacy_coro._rewrite import COROUTINE_TYPE, wanted, yield_from_target

HELPER = COROUTINE_TYPE  # the name each transformed `yield from` reads

PACKAGE_DIR = os.path.dirname(os.path.abspath(legacy_coro.__file__))
PY = sys.version_info[:2]


def _env(**extra):
    env = dict(os.environ)
    env.pop("LEGACY_CORO_REPORT", None)
    env["PYTHONPATH"] = os.pathsep.join(
        [os.path.dirname(PACKAGE_DIR)] + [p for p in [env.get("PYTHONPATH")] if p])
    env.update(extra)
    return env


def run(args, cwd, python=sys.executable, **extra):
    """Run *python* with *args* in *cwd*; return (stdout, stderr, returncode)."""
    proc = subprocess.run([python, *args], cwd=str(cwd), capture_output=True, text=True,
                          timeout=120, env=_env(**extra))
    return proc.stdout, proc.stderr, proc.returncode


def layered(script, cwd, *args, **extra):
    return run(["-W", "error", "-m", "legacy_coro", "run", str(script), *args], cwd, **extra)


def plain(script, cwd, *args, **extra):
    return run(["-W", "error", str(script), *args], cwd, **extra)


def write(directory, name, text):
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def last_line(text):
    return text.strip().splitlines()[-1] if text.strip() else ""


def layer_frames(text):
    """Return the traceback lines of *text* that point into legacy_coro's package."""
    return [line for line in text.splitlines()
            if line.lstrip().startswith('File "')
            and os.path.abspath(line.split('"')[1]).startswith(PACKAGE_DIR + os.sep)]


NON_COROUTINE = "TypeError: cannot 'yield from' a coroutine object in a non-coroutine generator"

# ---------------------------------------------------------------------------
# The transform itself


@pytest.mark.parametrize("source, expected", [
    pytest.param(b"x = 1\n", False, id="nothing"),
    pytest.param(b"def f():\n    yield from g()\n", True, id="yield-from"),
    pytest.param(b"def f():\n    yield  from g()\n", True, id="yield-from-spaces"),
    pytest.param(b"asyncio.async(f())\n", True, id="dot-async"),
    pytest.param(b"async def f():\n    await g()\n", False, id="async-def"),
    pytest.param(b"def f():\n    yield x\n", False, id="plain-yield"),
])
def test_pre_check(source, expected):
    assert wanted(source) is expected


def test_yield_from_target_is_the_coroutines_iterator_and_anything_else_itself():
    async def native():
        return 1

    coro = native()
    target = yield_from_target(coro)
    assert type(target).__name__ == "coroutine_wrapper"
    with pytest.raises(StopIteration) as stop:
        target.send(None)
    assert stop.value.value == 1
    for value in ([1], iter([1]), (x for x in [1]), None, 5):
        assert yield_from_target(value) is value


def test_transform_keeps_positions_and_leaves_decorated_functions_alone():
    source = textwrap.dedent('''\
        """doc"""
        from __future__ import annotations
        import asyncio
        from legacy_coro import coroutine as co

        def helper():
            return (yield from asyncio.sleep(0))

        @co
        def legacy():
            yield from helper()

        @asyncio.coroutine
        def old():
            yield from helper()

        import types, asyncio.coroutines as aco

        @types.coroutine
        def flagged():
            yield from helper()

        @aco.coroutine
        def submodule():
            yield from helper()

        x = asyncio.async(legacy())
        ''')
    code = compile_source(source, "old.py")
    names = {name for const in code.co_consts if hasattr(const, "co_names")
             for name in const.co_names}
    helper = next(c for c in code.co_consts if getattr(c, "co_name", "") == "helper")
    legacy = next(c for c in code.co_consts if getattr(c, "co_name", "") == "legacy")
    old = next(c for c in code.co_consts if getattr(c, "co_name", "") == "old")
    others = [c for c in code.co_consts if getattr(c, "co_name", "") in ("flagged", "submodule")]
    assert HELPER in helper.co_names
    assert HELPER not in legacy.co_names and HELPER not in old.co_names
    assert len(others) == 2 and not any(HELPER in c.co_names for c in others)
    assert "async" in code.co_names  # asyncio.async, the attribute
    assert names  # sanity
    assert (helper.co_firstlineno, legacy.co_firstlineno) == (6, 9)
    # the original compiles to the same line table where nothing was changed
    plain = compile(source.replace("asyncio.async(", "asyncio.ensure_future("), "old.py", "exec")
    plain_legacy = next(c for c in plain.co_consts if getattr(c, "co_name", "") == "legacy")
    assert list(legacy.co_lines()) == list(plain_legacy.co_lines()) if PY >= (3, 10) else True


def test_a_syntax_error_is_the_interpreters():
    source = "def f(:\n    pass\n"
    with pytest.raises(SyntaxError) as ours:
        compile_source(source, "bad.py")
    with pytest.raises(SyntaxError) as theirs:
        compile(source, "bad.py", "exec")
    assert (ours.value.msg, ours.value.lineno) == (theirs.value.msg, theirs.value.lineno)


# ---------------------------------------------------------------------------
# Generators stay generators


GENERATOR_KINDS = '''
import asyncio, inspect

def data():
    yield 1
    yield from [2, 3]

def helper():
    yield from asyncio.sleep(0)
    return "slept"

print(list(data()), inspect.isgenerator(data()), inspect.isawaitable(data()),
      inspect.isawaitable(helper()), bool(helper.__code__.co_flags & inspect.CO_ITERABLE_COROUTINE))
'''


def test_undecorated_generators_stay_generators(tmp_path):
    script = write(tmp_path, "kinds.py", GENERATOR_KINDS)
    write(tmp_path, "kindsmod.py", GENERATOR_KINDS)
    importer = write(tmp_path, "importer.py", "import kindsmod\n")
    expected = "[1, 2, 3] True False False False\n"
    assert plain(script, tmp_path) == (expected, "", 0)
    assert layered(script, tmp_path) == (expected, "", 0)
    assert layered(importer, tmp_path) == (expected, "", 0)


CUSTOM_AWAITABLES = '''
import asyncio
from legacy_coro import coroutine


class Waiter:
    """The Future-like idiom of 2015-2018 libraries: a generator __await__."""

    def __init__(self, fut):
        self._fut = fut

    def __await__(self):
        return (yield from self._fut)

    __iter__ = __await__


class Delegating:
    """__await__ delegating to a legacy coroutine (3.10 ran it)."""

    def __init__(self, coro):
        self._coro = coro

    def __await__(self):
        return (yield from self._coro)


@coroutine
def legacy():
    yield from asyncio.sleep(0)
    return "legacy"


@coroutine
def uses_iter(loop):
    fut = loop.create_future()
    loop.call_soon(fut.set_result, "iter")
    return (yield from Waiter(fut))


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    loop.call_soon(fut.set_result, "await")
    print(await Waiter(fut), await uses_iter(loop))
    try:
        print(await Delegating(legacy()))
    except TypeError as exc:
        print("TypeError:", exc)


asyncio.run(main())
'''


def test_generator_await_classes(tmp_path):
    script = write(tmp_path, "waiters.py", CUSTOM_AWAITABLES)
    out, err, code = plain(script, tmp_path)
    assert (out, code) == ("await iter\n" + NON_COROUTINE + "\n", 0), err
    assert layered(script, tmp_path) == ("await iter\nlegacy\n", "", 0)


# ---------------------------------------------------------------------------
# What is covered: the script, its modules, site-packages, test modules


OLD_LIBRARY = '''
import asyncio

def read_name(queue):
    name = yield from queue.get()
    yield from asyncio.sleep(0)
    return name.upper()

@asyncio.coroutine
def greet(queue):
    name = yield from read_name(queue)
    return "hello " + name

def start(loop, queue):
    return asyncio.async(greet(queue), loop=loop)
'''

USES_LIBRARY = '''
import asyncio
import oldlib

loop = asyncio.new_event_loop()
queue = asyncio.Queue(loop=loop)
queue.put_nowait("ada")
print(loop.run_until_complete(oldlib.start(loop, queue)))
print(type(oldlib.__loader__).__name__)
loop.close()
'''


def _site_packages_venv(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    return python, purelib


def test_old_library_in_site_packages_is_covered(tmp_path):
    python, purelib = _site_packages_venv(tmp_path)
    write(tmp_path / purelib, "oldlib/__init__.py", OLD_LIBRARY)
    script = write(tmp_path / "app", "app.py", USES_LIBRARY)
    # (the new venv has no uvloop: it runs on asyncio's loop in the uvloop env too)
    out, err, code = run(["-W", "error", "-m", "legacy_coro", "run", str(script)],
                         script.parent, python=str(python), LEGACY_CORO_LOOP="asyncio")
    assert (out, err, code) == ("hello ADA\nLegacyLoader\n", "", 0)
    out, err, code = run([str(script)], script.parent, python=str(python),
                         LEGACY_CORO_LOOP="asyncio")
    assert code == 1 and last_line(err) == "SyntaxError: invalid syntax", err


def test_asyncio_async_in_the_script_and_its_modules(tmp_path):
    write(tmp_path, "oldlib.py", OLD_LIBRARY)
    script = write(tmp_path, "app.py", '''
        import asyncio
        import asyncio as aio
        import oldlib

        @asyncio.coroutine
        def one():
            return 1

        loop = asyncio.new_event_loop()
        queue = asyncio.Queue(loop=loop)
        queue.put_nowait("bob")
        tasks = [asyncio.async(one(), loop=loop), aio.async(one(), loop=loop),
                 oldlib.start(loop, queue)]
        print(loop.run_until_complete(asyncio.gather(*tasks, loop=loop)))
        loop.close()
        ''')
    assert layered(script, tmp_path) == ("[1, 1, 'hello BOB']\n", "", 0)
    out, err, code = plain(script, tmp_path)
    assert code == 1 and "SyntaxError" in last_line(err)


def test_the_cache_is_the_layers_own_and_follows_the_source(tmp_path):
    write(tmp_path, "oldlib.py", OLD_LIBRARY)
    script = write(tmp_path, "app.py", USES_LIBRARY)
    unset = {"PYTHONDONTWRITEBYTECODE": ""}
    env = dict(_env(), **unset)
    del env["PYTHONDONTWRITEBYTECODE"]
    args = [sys.executable, "-W", "error", "-m", "legacy_coro", "run", str(script)]

    def go():
        proc = subprocess.run(args, cwd=str(tmp_path), capture_output=True, text=True,
                              timeout=120, env=env)
        return proc.stdout, proc.stderr, proc.returncode

    assert go() == ("hello ADA\nLegacyLoader\n", "", 0)
    cached = sorted(p.name for p in (tmp_path / "__pycache__").iterdir())
    tag = sys.implementation.cache_tag
    assert len(cached) == 1 and re.fullmatch(
        rf"oldlib\.{re.escape(tag)}-legacy_coro-[0-9a-f]{{10}}\.pyc", cached[0]), cached
    assert go() == ("hello ADA\nLegacyLoader\n", "", 0)  # from the cache
    # a changed source is never read from a stale cache (same size, other text)
    source = (tmp_path / "oldlib.py").read_text(encoding="utf-8")
    (tmp_path / "oldlib.py").write_text(source.replace("hello ", "HELLO "), encoding="utf-8")
    os.utime(tmp_path / "oldlib.py", (1, 1))
    assert go() == ("HELLO ADA\nLegacyLoader\n", "", 0)
    # without the layer the interpreter's own .pyc serves (and old code fails as it does)
    proc = subprocess.run([sys.executable, "-c", "import oldlib"], cwd=str(tmp_path),
                          capture_output=True, text=True, timeout=60, env=env)
    assert "SyntaxError" in proc.stderr


def test_a_module_can_opt_out(tmp_path):
    write(tmp_path, "optout.py", '''
        """LEGACY_CORO_DONT_REWRITE: this module's generators are its own business."""
        import asyncio

        def helper():
            yield from asyncio.sleep(0)
        ''')
    script = write(tmp_path, "app.py", '''
        import asyncio
        import optout

        async def main():
            await asyncio.create_task(optout.helper())

        try:
            asyncio.run(main())
        except TypeError as exc:
            print(exc)
        ''')
    out, err, code = layered(script, tmp_path)
    assert (out, code) == (NON_COROUTINE.split(": ", 1)[1] + "\n", 0), err


def test_standard_library_modules_are_not_the_layers(tmp_path):
    script = write(tmp_path, "app.py", '''
        import sys
        sys.modules.pop("email.feedparser", None)
        import email.feedparser
        print(type(email.feedparser.__loader__).__name__)
        ''')
    assert layered(script, tmp_path) == ("SourceFileLoader\n", "", 0)


# ---------------------------------------------------------------------------
# pytest


CONFTEST = '''
import asyncio

def conf_helper():
    yield from asyncio.sleep(0)
    return "conf"
'''

TEST_MODULE = '''
import asyncio
import unittest

from conftest import conf_helper


def helper():
    yield from asyncio.sleep(0)
    return 5


@asyncio.coroutine
def legacy():
    x = yield from helper()
    y = yield from conf_helper()
    return x, y


class OldStyle(unittest.TestCase):
    def test_legacy(self):
        loop = asyncio.new_event_loop()
        try:
            task = asyncio.async(legacy(), loop=loop)
            self.assertEqual(loop.run_until_complete(task), (5, "conf"))
        finally:
            loop.close()


def test_assert_shows_values():
    loop = asyncio.new_event_loop()
    try:
        value = loop.run_until_complete(legacy())
    finally:
        loop.close()
    assert value == (6, "conf")
'''


@pytest.fixture
def old_suite(tmp_path):
    write(tmp_path, "conftest.py", CONFTEST)
    write(tmp_path, "test_old.py", TEST_MODULE)
    env = _env()
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # exercise pytest's cache and the layer's tag

    def go(*args):
        proc = subprocess.run([sys.executable, *args, "-p", "no:cacheprovider", "-q"],
                              cwd=str(tmp_path), capture_output=True, text=True, timeout=120,
                              env=env)
        return proc.stdout, proc.returncode

    return go


def _outcome(out):
    return last_line(out).split(" in ")[0]


def test_legacy_coro_run_m_pytest_keeps_assertion_rewriting(old_suite):
    for _ in range(2):  # the second run reads pytest's cache under the layer's tag
        out, code = old_suite("-m", "legacy_coro", "run", "-m", "pytest")
        assert (_outcome(out), code) == ("1 failed, 1 passed", 1), out
        assert "assert (5, 'conf') == (6, 'conf')" in out
    # pytest's own cache was not given the layer's code: a plain run still fails to import
    out, code = old_suite("-m", "pytest")
    assert code == 2 and "SyntaxError" in out, out


def test_pytest_plugin(old_suite):
    out, code = old_suite("-m", "pytest", "-p", "legacy_coro.pytest_plugin")
    assert (_outcome(out), code) == ("1 failed, 1 passed", 1), out
    assert "assert (5, 'conf') == (6, 'conf')" in out


def test_the_plugin_is_not_loaded_by_installing_legacy_coro(old_suite):
    out, code = old_suite("-m", "pytest")
    assert code == 2 and "SyntaxError" in out, out


# ---------------------------------------------------------------------------
# Task.all_tasks() as 3.6-3.8 answered: every task of the loop still
# referenced, finished ones included.

CRAWLER = '''
import asyncio


@asyncio.coroutine
def fetch(url, lock, loop):
    with (yield from lock):
        yield from asyncio.sleep(0.01, loop=loop)
    return url.upper()


@asyncio.coroutine
def main(loop):
    lock = asyncio.Lock(loop=loop)
    jobs = [fetch(url, lock, loop) for url in ("a", "b", "c")]
    done, _ = yield from asyncio.wait(jobs, loop=loop)
    print(sorted(t.result() for t in done), len(asyncio.Task.all_tasks()))


loop = asyncio.get_event_loop()
loop.run_until_complete(main(loop))
'''


def test_task_all_tasks_counts_finished_tasks_too(tmp_path):
    script = write(tmp_path, "crawler.py", CRAWLER)
    # 3.6 and 3.8 print 4: the main task and the three done ones
    assert layered(script, tmp_path) == ("['A', 'B', 'C'] 4\n", "", 0)
    if PY == (3, 8):
        assert run(["-W", "ignore::DeprecationWarning", str(script)], tmp_path)[0] == (
            "['A', 'B', 'C'] 4\n")


def test_task_all_tasks_leaves_out_tasks_no_longer_referenced(tmp_path):
    script = write(tmp_path, "gone.py", '''
        import asyncio, gc

        async def short():
            return 1

        async def main():
            for _ in range(5):
                await asyncio.ensure_future(short())
            gc.collect()
            print(len(asyncio.Task.all_tasks()), asyncio.Task.current_task() is not None)

        loop = asyncio.new_event_loop()
        loop.run_until_complete(main())
        loop.close()
        ''')
    # what 3.6, 3.7 and 3.8 print (the last task is still referenced by the loop)
    assert layered(script, tmp_path) == ("2 True\n", "", 0)
    if PY == (3, 8):  # the oracle itself
        assert run(["-W", "ignore::DeprecationWarning", str(script)], tmp_path)[0] == "2 True\n"


# ---------------------------------------------------------------------------
# @coroutine on __iter__ (websockets 3-6: `conn = yield from connect(...)`)

DECORATED_ITER = '''
import asyncio, warnings
from legacy_coro import coroutine

# what a refused __await__ returned is dropped unawaited, with or without the layer
warnings.filterwarnings("ignore", "coroutine .* was never awaited", RuntimeWarning)


class Connect:
    def __init__(self, value):
        self.value = value

    @coroutine
    def __iter__(self):
        yield from asyncio.sleep(0)
        return self.value


class Refused:
    @coroutine
    def __await__(self):
        yield from asyncio.sleep(0)


class Native:
    async def _impl(self):
        pass

    def __await__(self):
        return self._impl()


@coroutine
def client():
    conn = yield from Connect("connected")
    return conn


async def main():
    print(await client())
    for kind in (Refused, Native):
        try:
            await kind()
        except TypeError as exc:
            print(type(exc).__name__, exc)


asyncio.run(main())
'''


def test_decorated_iter_serves_yield_from_and_decorated_await_stays_refused(tmp_path):
    script = write(tmp_path, "connect.py", DECORATED_ITER)
    out, err, code = plain(script, tmp_path)
    lines = out.splitlines()
    assert lines[0] == "connected" and (err, code) == ("", 0), err
    # The same refusal as a native __await__ returning a coroutine; 3.15 names the class.
    assert lines[1].replace("Refused.", "Native.") == lines[2], lines
    assert re.match(r"TypeError (Refused\.)?__await__\(\) (returned|must return)", lines[1]), lines
    assert layered(script, tmp_path) == (out, "", 0)


# ---------------------------------------------------------------------------
# Invisible: no legacy_coro frame in a traceback through a restored entry point

TRACEBACKS = '''
import asyncio, sys, threading, traceback

def show(what, func):
    try:
        func()
    except BaseException:
        print("== " + what)
        traceback.print_exc(file=sys.stdout)

def gen_raises():
    yield from asyncio.sleep(0)
    raise ValueError("from a plain generator")

@asyncio.coroutine
def legacy_raises():
    yield from asyncio.sleep(0)
    raise KeyError("legacy")

async def native_raises():
    await asyncio.sleep(0)
    raise LookupError("native")

def run_in_new_loop(coro):
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()

async def gather_with_loop():
    await asyncio.gather(legacy_raises(), loop=asyncio.get_running_loop())

async def wait_coroutines():
    done, _ = await asyncio.wait([legacy_raises()])
    done.pop().result()

async def wrong_loop():
    other = asyncio.new_event_loop()
    try:
        await asyncio.sleep(0, loop=other)
    finally:
        other.close()

async def create_task_generator():
    await asyncio.create_task(gen_raises())

async def shield_and_wait_for():
    await asyncio.wait_for(asyncio.shield(legacy_raises(), loop=asyncio.get_running_loop()), 5,
                           loop=asyncio.get_running_loop())

async def cancelled_on_lock():
    lock = asyncio.Lock()
    await lock.acquire()
    @asyncio.coroutine
    def take_legacy():
        with (yield from lock):
            pass
    task = asyncio.ensure_future(take_legacy())
    await asyncio.sleep(0)
    task.cancel()
    await task

def thread_get_event_loop():
    errors = []
    def target():
        try:
            asyncio.get_event_loop()
        except RuntimeError as exc:
            errors.append(exc)
    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    raise errors[0]

show("asyncio.run(generator)", lambda: asyncio.run(gen_raises()))
show("asyncio.run(native)", lambda: asyncio.run(native_raises()))
show("run_until_complete(generator)", lambda: run_in_new_loop(gen_raises()))
show("gather(loop=)", lambda: asyncio.run(gather_with_loop()))
show("wait(coroutines)", lambda: asyncio.run(wait_coroutines()))
show("sleep(loop=other)", lambda: asyncio.run(wrong_loop()))
show("create_task(generator)", lambda: asyncio.run(create_task_generator()))
show("shield/wait_for(loop=)", lambda: asyncio.run(shield_and_wait_for()))
show("with (yield from lock) cancelled", lambda: asyncio.run(cancelled_on_lock()))
show("get_event_loop() in a thread", thread_get_event_loop)
show("asyncio.async(1)", lambda: getattr(asyncio, "async")(1))
show("Semaphore(-1, loop=)", lambda: asyncio.Semaphore(-1, loop=asyncio.new_event_loop()))
'''


def test_tracebacks_through_restored_entry_points_show_no_layer_frame(tmp_path):
    script = write(tmp_path, "tracebacks.py", TRACEBACKS)
    out, err, code = layered(script, tmp_path)
    assert code == 0, err
    sections = re.split(r"^== ", out, flags=re.M)[1:]
    leaks = {section.splitlines()[0]: layer_frames(section) for section in sections}
    # before 3.10 asyncio still took loop=, and sleep(0) never looked at it
    assert len(leaks) == (12 if PY >= (3, 10) else 11), out
    if PY < (3, 11):
        # 3.8-3.10 re-raise with the wrapper's own traceback entry: the two
        # wrappers that can raise there (a primitive's constructor) show it
        leaks.pop("Semaphore(-1, loop=)")
    assert {what: frames for what, frames in leaks.items() if frames} == {}, out
    assert "ValueError: from a plain generator" in out
    assert ("RuntimeError: asyncio.sleep(loop=...) got" in out) is (PY >= (3, 10))


# ---------------------------------------------------------------------------
# install() / uninstall() put the same function objects back with their code


def test_uninstall_restores_code_and_hook():
    script = '''
import asyncio, sys, legacy_coro
funcs = [asyncio.sleep, asyncio.gather, asyncio.wait, asyncio.ensure_future,
         asyncio.create_task]
before = [(f, f.__code__, f.__kwdefaults__) for f in funcs]
meta = list(sys.meta_path)
legacy_coro.install()
changed = [f.__code__ is not code for f, code, _ in before]
legacy_coro.uninstall()
print(any(changed), all(f.__code__ is code and f.__kwdefaults__ == kw for f, code, kw in before),
      sys.meta_path == meta, [f for f in funcs] == [f for f, _, _ in before])
'''
    out, err, code = run(["-W", "error", "-c", script], ".")
    # 3.8 and 3.9 still have everything these functions lost later
    assert (out, err, code) == (f"{PY >= (3, 10)} True True True\n", "", 0)


# ---------------------------------------------------------------------------
# Behaviour changes that removed nothing: restored only when asked

BEHAVIOUR = '''
import asyncio, sys
import legacy_coro

order = []


async def inner():
    order.append("inner")


async def wait_for_order():
    asyncio.get_running_loop().call_soon(order.append, "callback")
    await asyncio.wait_for(inner(), 5)
    return list(order)


async def wait_closed_with_a_connection_open():
    accepted = []
    server = await asyncio.start_server(lambda r, w: accepted.append(w), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while not accepted:
        await asyncio.sleep(0.01)
    server.close()
    try:
        await asyncio.wait_for(server.wait_closed(), 0.5)
        result = "returned"
    except asyncio.TimeoutError:
        result = "waits"
    for w in accepted + [writer]:
        w.close()
        await w.wait_closed()
    await server.wait_closed()
    return result


async def cancellation_in_except_exception():
    async def victim():
        try:
            await asyncio.sleep(10)
        except Exception:
            return "caught"

    task = asyncio.ensure_future(victim())
    await asyncio.sleep(0)
    task.cancel()
    try:
        return await task
    except asyncio.CancelledError:
        return "passed"


async def writing_to_the_transports_socket():
    """What irc3's DCC sends did: make the socket blocking, write to it when writable."""
    accepted = []
    server = await asyncio.start_server(lambda r, w: accepted.append(w), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sock = writer.transport.get_extra_info("socket")
    loop = asyncio.get_running_loop()
    try:
        sock.setblocking(True)
        sock.setblocking(False)
        loop.add_writer(sock, lambda: None)
        loop.remove_writer(sock)
        result = type(sock).__name__
    except (ValueError, RuntimeError) as exc:
        result = type(exc).__name__
    while not accepted:
        await asyncio.sleep(0.01)
    for w in accepted + [writer]:
        w.close()
        await w.wait_closed()
    server.close()
    await server.wait_closed()
    return result


if sys.argv[1] != "-":
    legacy_coro.install(restore=[key for key in sys.argv[1].split(",") if key])
print(asyncio.run(wait_for_order()), asyncio.run(wait_closed_with_a_connection_open()),
      asyncio.run(cancellation_in_except_exception()),
      asyncio.run(writing_to_the_transports_socket()))
'''


@pytest.mark.parametrize("restore, restored", [
    pytest.param("-", False, id="plain"),
    pytest.param("", False, id="installed"),
    pytest.param("wait_for-inline,wait_closed-connections,CancelledError-base,"
                 "fd-used-by-transport,transport-socket", True, id="restored"),
    pytest.param("all", True, id="all"),
])
def test_behaviour_changes_are_restored_only_when_asked(tmp_path, restore, restored):
    script = write(tmp_path, "behaviour.py", BEHAVIOUR)
    out, err, code = run(["-W", "error", str(script), restore], tmp_path)
    old = PY < (3, 12) or restored
    wait_for = "['callback', 'inner']" if old else "['inner']"
    # uvloop's Server is its own, and still returns at once
    wait_closed = "returned" if old or sys.version_info < (3, 12, 1) or LOOP == "uvloop" \
        else "waits"
    # 3.7 and before: CancelledError was an Exception (before 3.8 only 3.6/3.7 ran that)
    cancelled = "caught" if restored else "passed"
    # uvloop's loop checks a transport's descriptor in its own code, which the layer leaves
    # alone: fd-used-by-transport restores asyncio's loops only
    tricks = "socket" if restored and LOOP != "uvloop" else "ValueError"
    assert (out, err, code) == (f"{wait_for} {wait_closed} {cancelled} {tricks}\n", "", 0)


def test_restore_names_only_behaviour_changes(tmp_path):
    script = write(tmp_path, "behaviour.py", BEHAVIOUR)
    out, err, code = run(["-W", "error", str(script), "loop-argument"], tmp_path)
    assert code == 1 and last_line(err) == (
        "ValueError: legacy_coro.install(restore=...): 'loop-argument' is not a behaviour "
        "change it can restore; choose from fd-used-by-transport, CancelledError-base, "
        "transport-socket, wait_for-inline, wait_closed-connections (or 'all')")
    out, err, code = layered(script, tmp_path, "-")
    assert code == 0
    out, err, code = run(["-m", "legacy_coro", "run", "--restore", "nope", str(script), "-"],
                         tmp_path)
    assert (out, code) == ("", 2) and err.startswith("legacy-coro run: error: 'nope' is not")


def test_restore_from_the_command_line_and_the_environment(tmp_path):
    script = write(tmp_path, "behaviour.py", BEHAVIOUR)
    tricks = "ValueError" if LOOP == "uvloop" else "socket"  # as in the test above
    expected = f"['callback', 'inner'] returned caught {tricks}\n"
    assert run(["-W", "error", "-m", "legacy_coro", "run", "--restore", "all", str(script),
                "-"], tmp_path) == (expected, "", 0)
    assert run(["-W", "error", "-m", "legacy_coro", "run", str(script), "-"], tmp_path,
               LEGACY_CORO_RESTORE="wait_for-inline, wait_closed-connections,"
                                   "CancelledError-base,fd-used-by-transport,"
                                   "transport-socket") == (
        expected, "", 0)


def test_a_second_install_may_not_ask_for_more():
    script = '''
import legacy_coro
legacy_coro.install(restore=["wait_for-inline"])
legacy_coro.install(restore=["wait_for-inline"])   # the same: fine
legacy_coro.install()                                # less: fine
try:
    legacy_coro.install(restore=["all"])
except RuntimeError as exc:
    print(exc)
'''
    out, err, code = run(["-W", "error", "-c", script], ".")
    assert (err, code) == ("", 0)
    assert out.startswith("legacy_coro.install(): the layer is installed already, without "
                          "CancelledError-base, fd-used-by-transport, transport-socket, "
                          "wait_closed-connections; call uninstall() first")


def test_pytest_plugin_restores_what_the_ini_names(tmp_path):
    write(tmp_path, "pytest.ini", '''
        [pytest]
        addopts = -p legacy_coro.pytest_plugin
        legacy_coro_restore = wait_for-inline CancelledError-base
        ''')
    write(tmp_path, "test_keys.py", '''
        import legacy_coro

        def test_keys():
            print("KEYS", sorted(legacy_coro.installed()))
        ''')
    out, err, code = run(["-m", "pytest", "-s", "-p", "no:cacheprovider"], tmp_path)
    assert code == 0, out + err
    keys = re.search(r"KEYS (\[.*?\])", out).group(1)
    assert "CancelledError-base" in keys  # 3.8+
    assert ("wait_for-inline" in keys) is (PY >= (3, 12))
    assert "legacy_coro: compat layer installed (" in out


# ---------------------------------------------------------------------------
# pytest: plugins installed in site-packages through an entry point load under
# the layer too, with -p legacy_coro.pytest_plugin as with legacy-coro run


#: the old plugin and its dist-info, as the held-out programs have them (tests/held_out)
PLUGIN_SITE = Path(__file__).resolve().parent / "held_out" / "plugin_site"

PLUGIN_TESTS = '''
import asyncio

import pytest


@pytest.mark.old_async
@asyncio.coroutine
def test_decorated(loop):
    value = yield from asyncio.sleep(0, result=1, loop=loop)
    assert value == 1


@pytest.mark.old_async
@asyncio.coroutine
def test_fails(loop):
    yield from asyncio.sleep(0, loop=loop)
    assert 1 == 2


def test_plain(loop):
    assert not loop.is_closed()
'''


@pytest.fixture
def entry_point_plugin(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(PLUGIN_SITE, site, ignore=shutil.ignore_patterns("__pycache__"))
    suite = tmp_path / "suite"
    write(suite, "test_old.py", PLUGIN_TESTS)
    env = _env()
    env["PYTHONPATH"] = os.pathsep.join([str(site), env["PYTHONPATH"]])
    env.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
    env.pop("PYTEST_ADDOPTS", None)

    def go(*args, ini=None):
        (suite / "pytest.ini").write_text(ini or "[pytest]\n")
        proc = subprocess.run(
            [sys.executable, "-W", "error::DeprecationWarning", *args, "-p", "no:cacheprovider",
             "-q"], cwd=str(suite), capture_output=True, text=True, timeout=120, env=env)
        return proc.stdout + proc.stderr, proc.returncode

    return go


@pytest.mark.parametrize("how", ["-p", "ini", "run"])
def test_an_entry_point_plugin_in_site_packages_loads_under_the_layer(entry_point_plugin, how):
    if how == "-p":
        out, code = entry_point_plugin("-m", "pytest", "-p", "legacy_coro.pytest_plugin")
    elif how == "ini":
        out, code = entry_point_plugin(
            "-m", "pytest", ini="[pytest]\naddopts = -p legacy_coro.pytest_plugin\n")
    else:
        out, code = entry_point_plugin("-m", "legacy_coro", "run", "-m", "pytest")
    assert (_outcome(out), code) == ("1 failed, 2 passed", 1), out
    assert "assert 1 == 2" in out


def test_without_the_layer_the_entry_point_plugin_does_not_load(entry_point_plugin):
    out, code = entry_point_plugin("-m", "pytest")
    assert code != 0 and "oldplugin" in out, out


DOCTESTED = '''
"""An old module whose examples use async as a name.

>>> config = dict(host='irc', async=True)
>>> config['async']
True
>>> import types; types.SimpleNamespace(**config).async
True
"""
'''


def test_doctest_examples_with_old_names_run_under_the_layer(tmp_path):
    write(tmp_path, "olddoc.py", DOCTESTED)
    out, err, code = run(["-m", "pytest", "-q", "-p", "no:cacheprovider", "--doctest-modules",
                          "-p", "legacy_coro.pytest_plugin", "olddoc.py"], tmp_path)
    assert (_outcome(out), code) == ("1 passed", 0), out + err
    out, err, code = run(["-m", "pytest", "-q", "-p", "no:cacheprovider", "--doctest-modules",
                          "olddoc.py"], tmp_path)
    assert code == 1 and "SyntaxError" in out, out
