"""A 2015 program and its unittest module, ported with the default target and no hand edit.

tests/data/ledger2015 is written for Python 3.4 as people wrote it then: a TCP
service and client with ``loop=`` everywhere, ``with (yield from lock)``,
``asyncio.async``, an awaitable class whose ``__iter__`` generator is its
``__await__`` too, ``Task.all_tasks()`` and ``current_task()``, a module-level
``get_event_loop()``, asyncio imported through a compat module of its own,
``async`` as a keyword argument and an attribute, ``asyncio.futures.TimeoutError``,
``asyncio.iscoroutinefunction()`` and ``except Exception`` around a ``yield
from``.  What it printed on CPython 3.6 is expected-3.6.txt.  ``legacy-coro
port --verify`` must write it, and the port must print exactly that and pass
its tests on every Python from 3.10 up.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("libcst")

from legacy_coro._compare import resolve_python  # noqa: E402
from legacy_coro._main import main  # noqa: E402

PROGRAM = Path(__file__).resolve().parent / "data" / "ledger2015"


@pytest.fixture(scope="module")
def ported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("ledger") / "ledger2015"
    shutil.copytree(PROGRAM, tree)
    assert main(["port", "--verify", str(tree)]) == 1  # changed, verified, written
    for name in ("ledger.py", "test_ledger.py"):
        assert "yield from" not in (tree / name).read_text()
    assert "self.async_ = async_" in (tree / "ledger.py").read_text()
    return tree


def _python(version: str) -> str:
    if version == "running":
        return sys.executable
    if sys.version_info[:2] != (3, 12):
        pytest.skip(f"the port's output runs on {version} from the 3.12 env only")
    try:
        return resolve_python(version).executable
    except LookupError:
        pytest.skip(f"no Python {version} here")


#: "running": the Python of this test run; 3.16: CPython's main branch, which cannot run
#: the port itself here (LibCST builds its parser with crates from the network), runs its
#: output from the 3.12 env
VERSIONS = ["running", "3.16"]


@pytest.mark.parametrize("version", VERSIONS)
def test_the_port_prints_what_36_printed(ported: Path, version: str) -> None:
    done = subprocess.run([_python(version), "-W", "error", "ledger.py"], cwd=ported,
                          capture_output=True, text=True, timeout=120)
    assert done.stderr == ""
    assert done.returncode == 0
    assert done.stdout == (PROGRAM / "expected-3.6.txt").read_text()


@pytest.mark.parametrize("version", VERSIONS)
def test_the_ported_tests_pass(ported: Path, version: str) -> None:
    done = subprocess.run([_python(version), "-m", "unittest", "-v", "test_ledger"],
                          cwd=ported, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.rstrip().endswith("OK") and "Ran 3 tests" in done.stderr


def test_what_36_printed_is_what_is_expected(tmp_path: Path) -> None:
    """expected-3.6.txt is the 3.6 transcript of this very program."""
    try:
        python36 = resolve_python("3.6").executable
    except LookupError:
        pytest.skip("no Python 3.6 here (pyenv install 3.6)")
    tree = tmp_path / "ledger2015"
    shutil.copytree(PROGRAM, tree)
    done = subprocess.run([python36, "ledger.py"], cwd=tree, capture_output=True, text=True,
                          timeout=120)
    assert (done.returncode, done.stdout) == (0, (PROGRAM / "expected-3.6.txt").read_text())
