"""Ported programs run and print what the originals printed, on this interpreter.

Each program here was run on CPython 3.6 (where the original is at home) and
its output is the expected text; when a 3.6 interpreter is found, the original
is run there again.  The port of it runs on the interpreter running the tests.
"""

import glob
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List, Optional

import pytest

pytest.importorskip("libcst")

from legacy_coro._main import main  # noqa: E402
from legacy_coro._versions import LOOP_BOUND_AT_CALL, LOOP_BOUND_LAZILY_SINCE  # noqa: E402

GREET = {
    "helpers.py": """\
        def read_name(reader):
            line = yield from reader.readline()
            return line.decode().strip()
        """,
    "greet.py": """\
        import asyncio
        from helpers import read_name


        @asyncio.coroutine
        def greet(reader):
            name = yield from read_name(reader)
            print("hello", name)


        loop = asyncio.new_event_loop()
        reader = asyncio.StreamReader(loop=loop)
        reader.feed_data(b"world\\n")
        reader.feed_eof()
        loop.run_until_complete(greet(reader))
        """,
}

CRAWLER = {
    "crawler.py": """\
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
            print(sorted(t.result() for t in done))
            job = fetch("d", lock, loop)
            done, _ = yield from asyncio.wait([job, job], loop=loop)  # one task, as in 3.6
            print(len(done), [t.result() for t in done])


        loop = asyncio.new_event_loop()
        loop.run_until_complete(main(loop))
        """,
}

ITER = {
    "connect.py": """\
        import asyncio


        class Connect:
            @asyncio.coroutine
            def __iter__(self):
                yield from asyncio.sleep(0)
                return "connected"


        @asyncio.coroutine
        def legacy():
            return (yield from Connect())


        loop = asyncio.new_event_loop()
        print(loop.run_until_complete(legacy()))
        print(loop.run_until_complete(asyncio.ensure_future(legacy(), loop=loop)))
        """,
}


def _python36() -> Optional[str]:
    roots = [os.environ.get("PYENV_ROOT", ""), os.path.expanduser("~/.pyenv")]
    for root in filter(None, roots):
        found = sorted(glob.glob(os.path.join(root, "versions", "3.6.*", "bin", "python3.6")))
        if found:
            return found[-1]
    return shutil.which("python3.6")


def _write(directory: Path, files: Dict[str, str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(textwrap.dedent(text))


def _run(python: str, script: Path) -> str:
    done = subprocess.run([python, "-W", "ignore", script.name], cwd=script.parent,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize(("files", "script", "printed"), [
    pytest.param(GREET, "greet.py", "hello world\n", id="helper-in-another-module"),
    pytest.param(CRAWLER, "crawler.py", "['A', 'B', 'C']\n1 ['D']\n", id="wait-on-coroutines"),
    pytest.param(ITER, "connect.py", "connected\nconnected\n", id="decorated-iter"),
])
def test_ported_program_prints_what_the_original_printed(
        tmp_path: Path, files: Dict[str, str], script: str, printed: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path / "old", files)
    _write(tmp_path / "new", files)
    assert main(["port", str(tmp_path / "new")]) == 1
    err = capsys.readouterr().err
    assert " LC0" not in err  # nothing left behind
    ported = (tmp_path / "new" / script).read_text()
    assert "yield" not in ported and "@asyncio.coroutine" not in ported
    assert _run(sys.executable, tmp_path / "new" / script) == printed
    python36 = _python36()
    if python36:
        assert _run(python36, tmp_path / "old" / script) == printed


def test_decorated_iter_port_serves_yield_from_and_await(tmp_path: Path) -> None:
    """The ported class works for old callers (yield from) and new ones (await)."""
    _write(tmp_path, ITER)
    assert main(["port", str(tmp_path)]) == 1
    ported = (tmp_path / "connect.py").read_text()
    script = tmp_path / "both.py"
    script.write_text(ported.split("\n\n\nasync def legacy")[0] + textwrap.dedent("""\


        from legacy_coro import coroutine


        @coroutine
        def old_style():
            return (yield from Connect())


        def plain_generator():
            return (yield from Connect())


        async def new_style():
            return await Connect()


        loop = asyncio.new_event_loop()
        print(loop.run_until_complete(old_style()))
        print(loop.run_until_complete(new_style()))
        gen = plain_generator()
        try:
            while True:
                gen.send(None)
        except StopIteration as stop:
            print(stop.value)
        """))
    assert _run(sys.executable, script) == "connected\nconnected\nconnected\n"


# Which loop a primitive made outside the running loop binds to: the reason for LC016.
BINDING = """\
import asyncio, warnings
warnings.simplefilter("ignore")
other = asyncio.new_event_loop()
asyncio.set_event_loop(other)     # the current loop while the objects are made
loop = asyncio.new_event_loop()   # the loop that runs them
made = {
    "Lock": lambda: asyncio.Lock(), "Event": lambda: asyncio.Event(),
    "Condition": lambda: asyncio.Condition(), "Semaphore": lambda: asyncio.Semaphore(1),
    "BoundedSemaphore": lambda: asyncio.BoundedSemaphore(1), "Queue": lambda: asyncio.Queue(),
    "PriorityQueue": lambda: asyncio.PriorityQueue(), "LifoQueue": lambda: asyncio.LifoQueue(),
    "gather": lambda: asyncio.gather(asyncio.sleep(0)),
    "shield": lambda: asyncio.shield(asyncio.sleep(0)),
    "as_completed": lambda: list(asyncio.as_completed([asyncio.sleep(0)])),
    "sleep": lambda: asyncio.sleep(0), "wait_for": lambda: asyncio.wait_for(asyncio.sleep(0), 1),
}

async def hold(obj):
    async with obj:
        await asyncio.sleep(0.01)

async def use(name, obj):
    # Each primitive made to wait, so that it needs a future of its loop.
    if name in ("Lock", "Semaphore", "BoundedSemaphore"):
        first = asyncio.ensure_future(hold(obj))
        await asyncio.sleep(0)
        await hold(obj)
        await first
    elif name == "Event":
        asyncio.get_event_loop().call_later(0.01, obj.set)
        await obj.wait()
    elif name == "Condition":
        async def notify():
            async with obj:
                obj.notify()
        asyncio.get_event_loop().call_later(0.01, asyncio.ensure_future, notify())
        async with obj:
            await obj.wait()
    elif name.endswith("Queue"):
        asyncio.get_event_loop().call_later(0.01, obj.put_nowait, 1)
        await obj.get()
    elif name == "as_completed":
        await obj[0]
    else:
        await obj

for name, make in made.items():
    obj = make()
    try:
        loop.run_until_complete(asyncio.wait_for(use(name, obj), 1))
        print(name, "runs in the running loop")
    except (RuntimeError, ValueError, asyncio.TimeoutError):
        print(name, "bound to the loop current when made")
"""


def test_which_calls_pick_their_loop_when_called(tmp_path: Path) -> None:
    """LOOP_BOUND_AT_CALL is what this Python binds at once without loop= (before 3.10)."""
    script = tmp_path / "binding.py"
    script.write_text(BINDING)
    lines = _run(sys.executable, script).splitlines()
    bound = [line.split()[0] for line in lines if line.endswith("when made")]
    if sys.version_info < LOOP_BOUND_LAZILY_SINCE:
        assert sorted(bound) == sorted(LOOP_BOUND_AT_CALL)
    else:
        assert sorted(bound) == sorted({"gather", "shield", "as_completed"})


MODULE_LEVEL = """\
import asyncio

loop = asyncio.new_event_loop()
done = asyncio.Event(loop=loop)


@asyncio.coroutine
def main():
    loop.call_soon(done.set)
    yield from done.wait()
    print("set")


loop.run_until_complete(main())
"""


@pytest.mark.parametrize(("flags", "runs_on"), [
    pytest.param(["--py38-plus"], ((3, 8), (3, 10)), id="py38-plus-keeps-loop"),
    pytest.param([], ((3, 10), (99, 0)), id="default-drops-it"),
    pytest.param(["--py310-plus"], ((3, 10), (99, 0)), id="py310-plus-drops-it"),
])
def test_target_version_output_runs_where_promised(
        tmp_path: Path, flags: List[str], runs_on: object) -> None:
    script = tmp_path / "event.py"
    script.write_text(MODULE_LEVEL)
    main(["port", *flags, str(script)])
    low, high = runs_on  # type: ignore[misc]
    done = subprocess.run([sys.executable, "-W", "ignore", str(script)], capture_output=True,
                          text=True, timeout=60)
    if low <= sys.version_info[:2] < high:
        assert (done.returncode, done.stdout) == (0, "set\n"), done.stderr
    else:
        assert done.returncode != 0


def test_asyncio_submodules_table_covers_this_python() -> None:
    """Every submodule of this Python's asyncio is one the port reads as asyncio."""
    import asyncio
    import pkgutil

    from legacy_coro._versions import ASYNCIO_SUBMODULES, canonical_asyncio

    found = {m.name for m in pkgutil.iter_modules(asyncio.__path__)} - {"__main__"}
    assert found <= ASYNCIO_SUBMODULES, found - ASYNCIO_SUBMODULES
    assert canonical_asyncio("asyncio.queues.Queue") == "asyncio.Queue"
    assert canonical_asyncio("asyncio.Queue") == "asyncio.Queue"
    assert canonical_asyncio("other.queues.Queue") == "other.queues.Queue"


def test_awaitable_calls_table_matches_this_python() -> None:
    """ASYNCIO_AWAITABLE_CALLS: coroutine functions, or what makes a future, on this Python."""
    import asyncio
    import inspect

    from legacy_coro._versions import ASYNCIO_AWAITABLE_CALLS

    makes_future = {"gather", "shield", "ensure_future", "create_task", "wrap_future"}
    for name in sorted(ASYNCIO_AWAITABLE_CALLS):
        target = getattr(asyncio, name, None)
        if target is None:  # `async` (a keyword since 3.7), to_thread (3.9+)
            continue
        if inspect.isclass(target):
            assert issubclass(target, asyncio.Future), name
        else:
            assert inspect.iscoroutinefunction(target) or name in makes_future, name
