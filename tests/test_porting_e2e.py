"""Porting an unmodified 2016 program, end to end, as the README's walkthrough does.

The old program uses ``asyncio.async()``, ``loop=``, ``with (yield from lock)``
and ``asyncio.wait()`` on bare coroutines; its port is written by hand.  The
questions a porting user asks: does my port on this Python print what my code
printed under ``legacy-coro run``, and what it printed on the Python it was
written for (3.6)?  And does ``legacy-coro port --verify`` write the port?

Each test on the 2016 program has a twin without ``asyncio.async()`` (which the
compat layer cannot run yet: issue 10), and the ``port --verify`` twin also
hands ``asyncio.wait()`` tasks, which the port leaves alone as it should (LC005
is reported for coroutines; see that test).
"""

import json
from pathlib import Path

import pytest

from legacy_coro._compare import resolve_python
from legacy_coro._main import main

from port_helpers import VERSION, sides  # noqa: E402

OLD_2016 = '''\
import asyncio


@asyncio.coroutine
def fetch(url, lock, loop):
    with (yield from lock):
        yield from asyncio.sleep(0.01, loop=loop)
    return url.upper()


@asyncio.coroutine
def main(loop):
    lock = asyncio.Lock(loop=loop)
    first = asyncio.async(fetch("first", lock, loop), loop=loop)
    done, _ = yield from asyncio.wait([fetch(url, lock, loop) for url in "abc"], loop=loop)
    print((yield from first), sorted(task.result() for task in done))


loop = asyncio.new_event_loop()
loop.run_until_complete(main(loop))
loop.close()
'''

#: the same program with asyncio.ensure_future() (3.4.4+), which the layer runs today
OLD_2016_ENSURE_FUTURE = OLD_2016.replace("asyncio.async(", "asyncio.ensure_future(")

#: ... and handing asyncio.wait() tasks, so that the port needs no hand work
OLD_2016_WAIT_TASKS = OLD_2016_ENSURE_FUTURE.replace(
    "asyncio.wait([fetch(url, lock, loop) for url in \"abc\"], loop=loop)",
    "asyncio.wait([asyncio.ensure_future(fetch(url, lock, loop)) for url in \"abc\"],\n"
    "                                loop=loop)")

NEW = '''\
import asyncio


async def fetch(url, lock):
    async with lock:
        await asyncio.sleep(0.01)
    return url.upper()


async def main():
    lock = asyncio.Lock()
    first = asyncio.ensure_future(fetch("first", lock))
    done, _ = await asyncio.wait([asyncio.ensure_future(fetch(url, lock)) for url in "abc"])
    print(await first, sorted(task.result() for task in done))


asyncio.run(main())
'''

PRINTED = "FIRST ['A', 'B', 'C']"

def test_the_variants_are_what_they_say():
    assert "asyncio.async(" not in OLD_2016_ENSURE_FUTURE
    assert "asyncio.wait([asyncio.ensure_future(" in OLD_2016_WAIT_TASKS


@pytest.fixture
def pair(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def write(old: str) -> None:
        Path("old.py").write_text(old)
        Path("new.py").write_text(NEW)

    return write


def compare_compat_a(capsys):
    assert main(["compare", "--compat-a", "old.py", "new.py"]) == 0, capsys.readouterr().out
    out = capsys.readouterr().out.splitlines()
    assert out[3].split() == PRINTED.split() * 2
    assert out[-1] == (f"same: old.py and new.py print the same transcript on Python {VERSION}, "
                       "A under legacy-coro run")


def test_2016_program_under_the_layer_prints_what_its_port_prints(pair, capsys):
    pair(OLD_2016)
    compare_compat_a(capsys)


def test_2016_program_under_the_layer_prints_what_its_port_prints_without_async(pair, capsys):
    pair(OLD_2016_ENSURE_FUTURE)
    compare_compat_a(capsys)


def python_36():
    try:
        return resolve_python("3.6")
    except LookupError:
        pytest.skip("no Python 3.6 here (pyenv install 3.6)")


@pytest.mark.parametrize("old", [OLD_2016, OLD_2016_ENSURE_FUTURE], ids=["async", "ensure_future"])
def test_2016_program_on_python_36_prints_what_its_port_prints_here(pair, capsys, old):
    """Side A as it ran in 2016: natively on 3.6, no layer, asyncio.async() included."""
    old_python = python_36()
    pair(old)
    argv = ["compare", "--python-a", "3.6", "--python-b", VERSION, "old.py", "new.py"]
    assert main(argv) == 0, capsys.readouterr().out
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (f"== A: Python 3.6 ({old_python.executable}); B: Python {VERSION} "
                      f"({resolve_python(VERSION).executable}) ==")
    assert out[3].split() == PRINTED.split() * 2
    assert out[-1] == (f"same: old.py and new.py print the same transcript on Python 3.6 (A) "
                       f"and {VERSION} (B)")
    assert main(["compare", "--json", *argv[1:]]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["pythons"][0]["a"] == {"label": "3.6", "executable": old_python.executable}
    assert document["pythons"][0]["b"]["label"] == VERSION
    assert document["results"][0]["status"] == "same"


def port_verify(capsys) -> str:
    pytest.importorskip("libcst")
    status = main(["port", "--verify", "old.py"])
    err = capsys.readouterr().err
    assert status == 1, err
    assert err.startswith(f"old.py: verify: same transcript, {sides()}\nRewriting old.py\n"), err
    ported = Path("old.py").read_text()
    assert "async def main(loop):" in ported and "yield" not in ported
    return ported


def test_port_verify_writes_the_port_of_the_2016_program(pair, capsys):
    pair(OLD_2016)
    port_verify(capsys)


def test_port_verify_writes_the_port_without_async_and_with_tasks(pair, capsys):
    pair(OLD_2016_WAIT_TASKS)
    assert "asyncio.wait([asyncio.ensure_future(" in port_verify(capsys)


#: an object the port cannot see through (a test's MagicMock): iterable, not awaitable
OLD_STUB = """\
import asyncio
from unittest import mock


@asyncio.coroutine
def main(stub):
    yield from stub
    print("done")


loop = asyncio.new_event_loop()
loop.run_until_complete(main(mock.MagicMock()))
loop.close()
"""


def await_refusal():
    """This Python's own words for `await MagicMock()` (3.14 rephrased them)."""
    import asyncio
    from unittest import mock

    async def use():
        await mock.MagicMock()

    try:
        asyncio.run(use())
    except TypeError as exc:
        return str(exc)
    raise AssertionError("await MagicMock() did not raise TypeError")


def test_port_verify_refuses_a_port_that_does_not_run(pair, capsys):
    """`yield from mock` iterated it; `await mock` refuses it: the port is not written."""
    pytest.importorskip("libcst")
    pair(OLD_STUB)
    status = main(["port", "--verify", "old.py"])
    err = capsys.readouterr().err.splitlines()
    assert status == 1
    assert err[0] == (f"old.py: verify: the port failed (exit 1: TypeError: {await_refusal()}), "
                      f"{sides()}")
    assert err[-1].endswith("1 file failed verification (not written)")
    assert Path("old.py").read_text() == OLD_STUB
