"""Every example pair: both run warning-free and print the same, checked-in transcript.

Each pair ``examples_legacy/NAME.py`` / ``examples_native/NAME.py`` runs with
the interpreter running the tests, as ``python -W error NAME.py`` (through
``legacy_coro._compare``, the runner ``legacy-coro compare`` uses).  Both must
exit 0 with nothing on stderr, their normalised transcripts must be equal, and
equal to ``tests/expected/NAME.txt`` -- so two equally broken files cannot
pass.  A version-specific ``tests/expected/NAME.X.Y.txt`` wins over NAME.txt
where an example's output legitimately differs on Python X.Y.

The pairs run in parallel (LEGACY_CORO_EXAMPLE_JOBS, default: the CPU count,
at most 4), once per session, but each keeps its own test id.

Maintainers regenerate the expected transcripts from the *native* examples,
then review them by eye before committing::

    python tests/test_examples.py --update-expected [NAME ...]
"""

import os
import sys
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from legacy_coro._compare import (
    MISSING_A,
    MISSING_B,
    Interpreter,
    PairResult,
    compare_pairs,
    pair_directories,
    run_script,
)

ROOT = Path(__file__).resolve().parent.parent
LEGACY = ROOT / "examples_legacy"
NATIVE = ROOT / "examples_native"
EXPECTED = Path(__file__).resolve().parent / "expected"

#: the number of programs in the seed list (EXAMPLES.md), each of which gets a pair
SEED_EXAMPLES = 21

PYTHON_ARGS = ("-W", "error")
TIMEOUT = 120.0
PAIRS = pair_directories(LEGACY, NATIVE)
NAMES = [name[: -len(".py")] for name, _, _ in PAIRS]
INTERPRETER = Interpreter("{}.{}".format(*sys.version_info[:2]), sys.executable)


def expected_file(name: str) -> Path:
    """Return the expected transcript for ``name`` on this Python."""
    specific = EXPECTED / "{}.{}.{}.txt".format(name, *sys.version_info[:2])
    return specific if specific.exists() else EXPECTED / f"{name}.txt"


@pytest.fixture(scope="module")
def results(request: pytest.FixtureRequest) -> Dict[str, PairResult]:
    """Run the selected pairs, several at a time, and return their results by name."""
    selected = {
        item.callspec.params["name"]
        for item in request.session.items
        if getattr(item, "originalname", None) == "test_pair" and hasattr(item, "callspec")
    }
    jobs = int(os.environ.get("LEGACY_CORO_EXAMPLE_JOBS") or min(4, os.cpu_count() or 1))
    pairs = [pair for pair, name in zip(PAIRS, NAMES) if name in selected]
    done = compare_pairs(pairs, [INTERPRETER], jobs=jobs, python_args=PYTHON_ARGS,
                         timeout=TIMEOUT)
    return {result.name[: -len(".py")]: result for result in done}


def test_there_is_a_pair_for_every_seed_example():
    assert len(NAMES) >= SEED_EXAMPLES, (
        f"only {len(NAMES)} example names in {LEGACY.name}/ and {NATIVE.name}/; "
        f"the seed list has {SEED_EXAMPLES}"
    )


@pytest.mark.parametrize("name", NAMES)
def test_pair(name: str, results: Dict[str, PairResult]) -> None:
    result = results[name]
    assert result.status != MISSING_A, f"examples_native/{name}.py has no examples_legacy/ twin"
    assert result.status != MISSING_B, f"examples_legacy/{name}.py has no examples_native/ twin"
    assert result.a is not None and result.b is not None
    for run in (result.a, result.b):
        assert not run.timed_out, f"{run.script} still running after {TIMEOUT:g} s"
        assert run.returncode == 0, f"{run.script} exited with {run.returncode}:\n{run.stderr}"
        assert run.stderr == "", f"{run.script} wrote to stderr under -W error"
    assert result.a.transcript == result.b.transcript, (
        f"legacy and native differ; see `legacy-coro compare -W error "
        f"examples_legacy/{name}.py examples_native/{name}.py`"
    )
    expected = expected_file(name)
    assert expected.exists(), (
        f"no {expected.relative_to(ROOT)}; write it with "
        "`python tests/test_examples.py --update-expected` and review it"
    )
    assert result.b.transcript == expected.read_text(encoding="utf-8")


def update_expected(names: Optional[List[str]] = None) -> int:
    """Write tests/expected/NAME.txt from each native example's normalised transcript."""
    EXPECTED.mkdir(exist_ok=True)
    status = 0
    for name in names or [n for n in NAMES if (NATIVE / f"{n}.py").exists()]:
        run = run_script(NATIVE / f"{name}.py", sys.executable, python_args=PYTHON_ARGS,
                         timeout=TIMEOUT)
        if not run.ok or run.stderr:
            print(f"{name}: not written, exit {run.returncode}, stderr:\n{run.stderr}",
                  file=sys.stderr)
            status = 1
            continue
        target = EXPECTED / f"{name}.txt"
        old = target.read_text(encoding="utf-8") if target.exists() else None
        if old != run.transcript:
            target.write_text(run.transcript, encoding="utf-8")
            print(f"{name}: {'updated' if old is not None else 'written'} {target}")
    return status


if __name__ == "__main__":
    if sys.argv[1:2] != ["--update-expected"]:
        raise SystemExit("usage: python tests/test_examples.py --update-expected [NAME ...]")
    raise SystemExit(update_expected(sys.argv[2:]))
