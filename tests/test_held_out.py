"""Old programs run unmodified under ``legacy-coro run`` print what CPython 3.6 printed.

``tests/held_out/NAME.py`` are programs in the shapes of the old code the layer
must run (written for it, never shown to the layer's code while it was written):

- ``names``: ``async`` and ``await`` as names in every place 2014-2016 code used
  them, a package with a module named ``async`` (``tests/held_out/oldpkg``);
- ``tasks``: undecorated generators given to ``asyncio.Task()``,
  ``loop.create_task()`` and the other task entry points, and a framework that
  dispatches on ``asyncio.iscoroutine()``;
- ``cancelled``: ``except asyncio.futures.CancelledError`` and the other names
  reached through submodules;
- ``policies``: event loop policies, a policy subclass and a policy of its own,
  ``asyncio.iscoroutinefunction()``;
- ``deep``: chains of 300 decorated and 900 undecorated coroutines;
- ``pytest_plugin``: an old test suite under pytest with an old plugin installed
  through a ``pytest11`` entry point (``plugin_site``, ``plugin_suite``).

``tests/held_out/expected/NAME.txt`` is the transcript (normalised stdout and
marked stderr, as ``legacy-coro compare`` makes it) of the program run with
plain CPython 3.6, which had every one of these behaviours.  Each runs here with
the interpreter running the tests, under ``python -m legacy_coro run``, and must
print the same.  To record the transcripts again (with a 3.6 that has pytest)::

    python tests/test_held_out.py --record PATH/TO/python3.6
"""

import sys
from pathlib import Path

import pytest

from legacy_coro._compare import run_script

HERE = Path(__file__).resolve().parent
PROGRAMS = HERE / "held_out"
EXPECTED = PROGRAMS / "expected"
NAMES = sorted(path.stem for path in PROGRAMS.glob("*.py"))


def test_every_shape_has_a_program():
    assert NAMES == ["cancelled", "deep", "names", "policies", "pytest_plugin", "tasks"]


@pytest.mark.parametrize("name", NAMES)
def test_held_out_program_prints_what_36_printed(name, monkeypatch):
    expected = (EXPECTED / f"{name}.txt").read_text(encoding="utf-8")
    if name == "policies":
        # it prints which policy is in place: the uvloop env's own would be what it shows
        monkeypatch.setenv("LEGACY_CORO_LOOP", "asyncio")
    result = run_script(PROGRAMS / f"{name}.py", sys.executable, compat=True, timeout=120)
    assert result.transcript == expected, result.stderr
    assert result.returncode == 0


def _record(python: str) -> None:
    for name in NAMES:
        result = run_script(PROGRAMS / f"{name}.py", python, timeout=120)
        if result.returncode != 0:
            raise SystemExit(f"{name}.py failed on {python}:\n{result.stderr}")
        (EXPECTED / f"{name}.txt").write_text(result.transcript, encoding="utf-8")
        print(f"recorded {name}.txt")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "--record":
        raise SystemExit("usage: python tests/test_held_out.py --record PATH/TO/python3.6")
    _record(sys.argv[2])
