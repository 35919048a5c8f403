"""The book's programs as printed run under ``legacy-coro run`` as their native ports do.

``examples_legacy/as_printed/NAME.py`` is the book's code with only line
breaks and quotes restored: ``asyncio.get_event_loop()`` at module level,
bare coroutines handed to ``asyncio.wait()``, ``@asyncio.coroutine``.  Each
runs under ``python -m legacy_coro run`` and must print the same normalised
transcript (stdout and marked stderr, ``legacy_coro._compare``) as its pair
``examples_native/NAME.py`` run with plain ``python``.
"""

import ast
import os
import sys
from pathlib import Path

import pytest

from legacy_coro._compare import run_script
from legacy_coro._versions import change, printed

ROOT = Path(__file__).resolve().parent.parent
AS_PRINTED = ROOT / "examples_legacy" / "as_printed"
NATIVE = ROOT / "examples_native"

#: as-printed program -> native partner, where the names differ
PARTNER = {"coroutine_chain_generator": "coroutine_chain"}

#: Programs whose printed order depends on set iteration order: the book hands
#: a list of bare coroutines to asyncio.wait()/as_completed(), which turn it
#: into a set before scheduling, so the coroutines start (and, with equal
#: sleeps, finish) in an order that changes with object addresses from run to
#: run and version to version.  The native ports schedule the list in order
#: (their comments say so), which no compat layer can do for the book's code.
#: These must still run cleanly and print the same lines; their order is not
#: compared.  (Reported to the lead: the book's transcripts are not
#: reproducible either.)
SET_ORDER = {"wait", "wait_timeout", "as_completed", "lock", "event", "condition"}

NAMES = sorted(path.stem for path in AS_PRINTED.glob("*.py"))


def _partner(name: str) -> Path:
    partner = NATIVE / (PARTNER.get(name, name) + ".py")
    if not partner.exists():
        pytest.skip(f"{partner.relative_to(ROOT)} does not exist yet")
    return partner


def _both(name: str):
    partner = _partner(name)
    legacy = run_script(
        AS_PRINTED / f"{name}.py", sys.executable, python_args=["-m", "legacy_coro", "run"]
    )
    native = run_script(partner, sys.executable)
    assert native.returncode == 0, native.stderr
    assert legacy.returncode == 0, legacy.stderr
    return legacy, native


def test_every_seed_program_is_kept_as_printed():
    assert len(NAMES) == 22  # 21 programs; coroutine_chain is printed in both styles


#: programs whose order of lines hangs on timers 10 ms apart (asyncio_queue: consumers
#: sleep 0.01 * item): on a loaded machine (an unoptimised 3.16 build beside the other tox
#: environments) either side may print two lines the other way round now and then
TIMED = {"asyncio_queue"}


@pytest.mark.parametrize("name", [n for n in NAMES if n not in SET_ORDER])
def test_as_printed_matches_native_transcript(name):
    legacy, native = _both(name)
    for _ in range(2 if name in TIMED else 0):  # a new pair of runs, not a looser check
        if legacy.transcript == native.transcript:
            break
        legacy, native = _both(name)
    assert legacy.transcript == native.transcript


def _unordered(transcript: str):
    """Return the lines in sorted order; a `results: [...]` list (wait.py prints
    its `completed` set as a list, the native port sorts it) is sorted too."""
    lines = []
    for line in transcript.splitlines():
        if line.startswith("results: ["):
            line = "results: " + repr(sorted(ast.literal_eval(line[len("results: "):])))
        lines.append(line)
    return sorted(lines)


@pytest.mark.parametrize("name", sorted(SET_ORDER))
def test_set_ordered_program_prints_the_same_lines(name):
    legacy, native = _both(name)
    assert legacy.stderr == ""
    assert _unordered(legacy.transcript) == _unordered(native.transcript)


@pytest.mark.parametrize("name", NAMES)
def test_as_printed_fails_without_the_compat_layer_where_python_removed_what_it_uses(name):
    """Without legacy-coro run, the same file fails or warns where the book's API is gone."""
    plain = run_script(AS_PRINTED / f"{name}.py", sys.executable)
    uses_wait = "asyncio.wait(" in (AS_PRINTED / f"{name}.py").read_text()
    # What this interpreter prints first, in the order the program meets it:
    # the decorator at definition time, then the module-level get_event_loop(),
    # then asyncio.wait() on bare coroutines.
    if name == "coroutine_chain_generator" and change("asyncio.coroutine").applies:
        assert printed("asyncio.coroutine") in plain.stderr
    elif os.environ.get("LEGACY_CORO_LOOP") == "uvloop":
        # uvloop 0.22+'s policy raises at the first get_event_loop() with no loop
        # set, on every Python, before the program reaches anything else.
        assert "RuntimeError: There is no current event loop" in plain.stderr
    elif change("get_event_loop-raises").applies:
        assert printed("get_event_loop-raises") in plain.stderr
    elif uses_wait and change("wait-coroutines").applies and name != "asyncio_queue":
        assert printed("wait-coroutines") in plain.stderr
    elif change("get_event_loop-warns").applies:
        assert printed("get_event_loop-warns") in plain.stderr
    else:
        assert plain.returncode == 0
