"""``legacy-coro port --verify`` over a code base: each generation runs in its own copy of the tree.

The package below is old code that no Python after 3.6 can even import (``asyncio.async(``):
its ported test modules can only pass if they import the ported program, and the originals
only run under the layer.  Test modules are verified by their tests' results, scripts by their
transcripts; a run that differs keeps its file and every changed file it imports unwritten.
"""

import ast
import os
import stat
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, List

import pytest

pytest.importorskip("libcst")

from legacy_coro._main import main  # noqa: E402
from legacy_coro.port import _pipeline, _tree  # noqa: E402
from legacy_coro.port._verify_plan import (  # noqa: E402
    PYTEST_STYLE, SCRIPT, TESTS, UNITTEST_STYLE, plan,
)
from legacy_coro.port._verify_plan import test_style as style_of  # noqa: E402
from legacy_coro.port._verify_tests import compare, split  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VERSION = "{}.{}".format(*sys.version_info[:2])
SIDES = f"the original under legacy-coro run and the port on Python {VERSION}"

LEDGER = {
    "__init__.py": "",
    "helper.py": """\
        import asyncio


        @asyncio.coroutine
        def double(x):
            yield from asyncio.sleep(0)
            return x * 2


        @asyncio.coroutine
        def spawn(x):
            task = asyncio.async(double(x))
            result = yield from task
            return result
        """,
    "program.py": """\
        import asyncio

        from ledger.helper import double, spawn


        @asyncio.coroutine
        def total(values):
            result = 0
            for value in values:
                result += yield from double(value)
            result += yield from spawn(1)
            return result


        if __name__ == "__main__":
            loop = asyncio.new_event_loop()
            print("total:", loop.run_until_complete(total([1, 2, 3])))
            loop.close()
        """,
    "test_unit.py": """\
        import asyncio
        import unittest

        from ledger import program


        class TotalTest(unittest.TestCase):
            def setUp(self):
                self.loop = asyncio.new_event_loop()

            def tearDown(self):
                self.loop.close()

            def test_total(self):
                self.assertEqual(self.loop.run_until_complete(program.total([1, 2])), 8)

            @asyncio.coroutine
            def checked(self):
                value = yield from program.total([])
                return value

            def test_empty(self):
                self.assertEqual(self.loop.run_until_complete(self.checked()), 2)

            @unittest.skip("not yet")
            def test_later(self):
                pass


        if __name__ == "__main__":
            unittest.main()
        """,
    "test_pytest.py": """\
        import asyncio

        from ledger.helper import double, spawn


        @asyncio.coroutine
        def both(x):
            a = yield from double(x)
            b = yield from asyncio.async(spawn(x))
            return a + b


        def test_both():
            loop = asyncio.new_event_loop()
            try:
                assert loop.run_until_complete(both(3)) == 12
            finally:
                loop.close()


        def test_fails_before_and_after():
            assert 1 == 2
        """,
}


def write_tree(root: Path, files: Dict[str, str]) -> Dict[str, str]:
    texts = {}
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        texts[name] = textwrap.dedent(text)
        path.write_text(texts[name])
    return texts


@pytest.fixture
def ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Dict[str, str]:
    """The package, as ``ledger/NAME`` in the working directory; its texts by that name."""
    monkeypatch.chdir(tmp_path)
    texts = write_tree(tmp_path / "ledger", LEDGER)
    return {f"ledger/{name}": text for name, text in texts.items()}


def unchanged(texts: Dict[str, str]) -> List[str]:
    return [name for name, text in texts.items() if Path(name).read_text() == text]


def test_a_package_is_verified_in_copies_and_written(ledger: Dict[str, str],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["port", "--verify", "ledger"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"ledger/helper.py: verify: same transcript, {SIDES}",
        f"ledger/program.py: verify: same transcript, {SIDES}",
        f"ledger/test_pytest.py: verify: same test results (1 passed, 1 failed), {SIDES}",
        f"ledger/test_unit.py: verify: same test results (2 passed, 1 skipped), {SIDES}",
        "Rewriting ledger/helper.py",
        "Rewriting ledger/program.py",
        "Rewriting ledger/test_pytest.py",
        "Rewriting ledger/test_unit.py",
        "4 files changed, 5 functions converted, 0 sites left with reasons",
    ]
    assert unchanged(ledger) == ["ledger/__init__.py"]
    assert "task = asyncio.ensure_future(double(x))" in Path("ledger/helper.py").read_text()
    assert not [p for p in Path().rglob("*") if p.name in ("__pycache__", "results-1-a")]


def drop_line(monkeypatch: pytest.MonkeyPatch, filename: str, line: bytes,
              instead: bytes = b"") -> None:
    """Make the port drop *line* from *filename* (put *instead* there): a port that changes
    what the code does."""
    original = _pipeline.port_scanned

    def dropping(scanned: Any, facts: Any, target: Any) -> Any:
        ported = original(scanned, facts, target)
        if scanned.path.endswith(filename):
            assert line in ported.source
            ported = ported._replace(source=ported.source.replace(line, instead))
        return ported

    monkeypatch.setattr(_pipeline, "port_scanned", dropping)


def test_a_port_that_changes_a_tests_outcome_is_not_written(
        ledger: Dict[str, str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The test module's port breaks its own setUp: it is not written, nor what it imports."""
    drop_line(monkeypatch, "test_unit.py", b"        self.loop = asyncio.new_event_loop()\n",
              b"        pass\n")
    assert main(["port", "--verify", "ledger"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[3] == f"ledger/test_unit.py: verify: different test results, {SIDES}:"
    assert err[4].startswith("  ledger.test_unit.TotalTest.test_empty: passed -> error "
                             "(AttributeError: ")
    assert err[5].startswith("  ledger.test_unit.TotalTest.test_total: passed -> error "
                             "(AttributeError: ")
    # which port broke it cannot be told: what the test module imports is not written either
    assert err[6:] == [
        "ledger/helper.py: verify: not written: ledger/test_unit.py imports it and differs after "
        "the port",
        "ledger/program.py: verify: not written: ledger/test_unit.py imports it and differs after "
        "the port",
        "Rewriting ledger/test_pytest.py",
        "1 file changed, 5 functions converted, 0 sites left with reasons, 1 file failed "
        "verification (not written), 2 files not written: imported by a run that differs",
    ]
    assert sorted(unchanged(ledger)) == ["ledger/__init__.py", "ledger/helper.py",
                                         "ledger/program.py", "ledger/test_unit.py"]


def test_a_module_whose_port_fails_the_tests_that_import_it_is_not_written(
        ledger: Dict[str, str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The helper's own run prints the same (nothing); the runs that import it differ."""
    drop_line(monkeypatch, "helper.py", b"    return x * 2\n")
    assert main(["port", "--verify", "ledger"]) == 1
    err = [line for line in capsys.readouterr().err.splitlines()
           if not line.startswith(("---", "+++", "@@", "-", "+"))]
    assert err[0] == f"ledger/helper.py: verify: same transcript, {SIDES}"
    assert err[1].startswith("ledger/program.py: verify: the port failed (exit 1: TypeError: ")
    assert err[2] == f"ledger/test_pytest.py: verify: different test results, {SIDES}:"
    assert err[3].startswith("  ledger.test_pytest.test_both: passed -> failed (TypeError: ")
    assert err[4] == f"ledger/test_unit.py: verify: different test results, {SIDES}:"
    assert err[5].startswith("  ledger.test_unit.TotalTest.test_empty: passed -> failed "
                             "(TypeError: ")
    assert err[6].startswith("  ledger.test_unit.TotalTest.test_total: passed -> failed "
                             "(TypeError: ")
    assert err[7:] == [
        "ledger/helper.py: verify: not written: ledger/program.py, ledger/test_pytest.py and "
        "ledger/test_unit.py import it and differ after the port",
        "0 files changed, 5 functions converted, 0 sites left with reasons, 3 files failed "
        "verification (not written), 1 file not written: imported by a run that differs",
    ]
    assert sorted(unchanged(ledger)) == sorted(ledger)


def test_a_test_module_the_original_cannot_run(ledger: Dict[str, str],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    Path("ledger/test_unit.py").write_text("import no_such_module_here\n" + ledger[
        "ledger/test_unit.py"])
    assert main(["port", "--verify", "ledger/test_unit.py"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        "ledger/test_unit.py: verify: the original's tests do not run (it does not import: "
        "ModuleNotFoundError: No module named 'no_such_module_here'), "
        f"{SIDES}; nothing to compare the port with")
    assert err[1].endswith("1 file not verified: the original does not run (not written)")


@pytest.fixture
def python_without_pytest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """This Python without its site-packages (so without pytest), legacy_coro from the checkout."""
    if os.name == "nt":
        pytest.skip("a shell-script stand-in for an interpreter")
    stand_in = tmp_path / "bin" / "python-no-site"
    stand_in.parent.mkdir()
    stand_in.write_text(f'#!/bin/sh\nexec "{sys.executable}" -S "$@"\n')
    stand_in.chmod(stand_in.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    return str(stand_in)


def test_without_pytest_unittest_runs_the_tests(
        ledger: Dict[str, str], python_without_pytest: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    """unittest verifies the TestCase module; the pytest module cannot be, and says so."""
    python = python_without_pytest
    status = main(["port", "--verify", "--python-a", python, "--compat-a", "--python-b", python,
                   "ledger"])
    err = capsys.readouterr().err.splitlines()
    sides = f"the original under legacy-coro run and the port on Python {VERSION}"
    assert err[:4] == [
        f"ledger/helper.py: verify: same transcript, {sides}",
        f"ledger/program.py: verify: same transcript, {sides}",
        f"ledger/test_pytest.py: verify: not verified: its tests need pytest, which {python} "
        "cannot import; install pytest there",
        f"ledger/test_unit.py: verify: same test results (2 passed, 1 skipped), {sides}",
    ]
    assert err[-1] == ("3 files changed, 5 functions converted, 0 sites left with reasons, "
                       "1 file not verified (not written)")
    assert status == 2
    assert unchanged(ledger) == ["ledger/__init__.py", "ledger/test_pytest.py"]


def test_the_original_on_python_36_natively(ledger: Dict[str, str],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """As the code ran in 2016: 3.6 has no pytest here, so unittest runs both sides."""
    from legacy_coro._compare import resolve_python

    try:
        old = resolve_python("3.6")
    except LookupError:
        pytest.skip("no Python 3.6 here (pyenv install 3.6)")
    assert main(["port", "--verify", "--python-a", "3.6", "--no-compat-a", "ledger"]) == 2
    sides = f"the original on Python 3.6, the port on {VERSION}"
    assert capsys.readouterr().err.splitlines()[:5] == [
        f"ledger/helper.py: verify: same transcript, {sides}",
        f"ledger/program.py: verify: same transcript, {sides}",
        f"ledger/test_pytest.py: verify: not verified: its tests need pytest, which "
        f"{old.executable} cannot import; install pytest there",
        f"ledger/test_unit.py: verify: same test results (2 passed, 1 skipped), {sides}",
        "Rewriting ledger/helper.py",
    ]
    assert old.label == "3.6"


def test_scripts_run_in_the_copies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    """What a script writes stays in its copy; the copies' paths read as the user's tree."""
    monkeypatch.chdir(tmp_path)
    write_tree(tmp_path / "app", {
        "tool.py": """\
            import asyncio


            @asyncio.coroutine
            def name():
                yield from asyncio.sleep(0)
                return "tool"
            """,
        "main.py": """\
            import asyncio
            import tool

            if __name__ == "__main__":
                with open("out.txt", "w") as out:
                    out.write("written")
                loop = asyncio.new_event_loop()
                print(loop.run_until_complete(tool.name()), tool.__file__)
                loop.close()
            """,
    })
    assert main(["port", "--verify", "app"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[:2] == [
        f"app/main.py (unchanged, imports changed files): verify: same transcript, {SIDES}",
        f"app/tool.py: verify: same transcript, {SIDES}"]
    assert not (tmp_path / "app" / "out.txt").exists()
    assert (tmp_path / "app" / "tool.py").read_text().startswith("import asyncio\n\n\nasync def")


def test_a_module_of_a_package_runs_as_python_m_runs_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """As a script, its package's http.py would hide the standard library's http."""
    monkeypatch.chdir(tmp_path)
    write_tree(tmp_path / "net", {
        "__init__.py": "",
        "http.py": "",
        "compat.py": """\
            import asyncio
            import http.client


            @asyncio.coroutine
            def status():
                yield from asyncio.sleep(0)
                return http.client.OK

            if __name__ == "__main__":
                loop = asyncio.new_event_loop()
                print(__name__, loop.run_until_complete(status()))
                loop.close()
            """,
    })
    assert main(["port", "--verify", "net"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        f"net/compat.py: verify: same transcript, {SIDES}")


CRASHING_TESTS = """\
    import asyncio
    import os
    import unittest


    @asyncio.coroutine
    def nap():
        yield from asyncio.sleep(0)


    class CrashTest(unittest.TestCase):
        def test_crash(self):
            os._exit(3)  # the test runner's process with it: it leaves no results
    """


def test_test_modules_whose_process_leaves_no_results_run_one_by_one(
        ledger: Dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    """A crash (or a timeout) of the process running every test module: each runs alone."""
    write_tree(Path("ledger"), {"test_crash.py": CRASHING_TESTS})
    assert main(["port", "--verify", "ledger/test_unit.py", "ledger/test_crash.py",
                 "ledger/program.py", "ledger/helper.py"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[2:4] == [
        f"ledger/test_unit.py: verify: same test results (2 passed, 1 skipped), {SIDES}",
        "ledger/test_crash.py: verify: the original's tests do not run (pytest wrote no "
        f"results: exit 3, nothing on stderr), {SIDES}; nothing to compare the port with",
    ]


def test_a_tree_too_large_to_copy_is_refused(ledger: Dict[str, str],
                                             monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(_tree, "MAX_FILES", 3)
    assert main(["port", "--verify", "ledger"]) == 2
    root = Path("ledger").resolve()
    assert capsys.readouterr().err == (
        f"legacy-coro port: error: --verify copies {root} (the directory holding the PATHs, up "
        "to its top package) twice, and it holds more than 3 files or 200 MB besides what the "
        "port skips; pass PATHs inside a smaller directory\n")
    assert sorted(unchanged(ledger)) == sorted(ledger)


def test_a_file_the_port_refuses_is_reported_and_the_rest_verified(
        ledger: Dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    Path("ledger/data.py").write_bytes(b"BLOB = 1\0\n")
    assert main(["port", "--verify", "ledger/helper.py", "ledger/data.py"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[:2] == [f"ledger/helper.py: verify: same transcript, {SIDES}",
                       "Rewriting ledger/helper.py"]
    assert err[2].startswith("ledger/data.py: cannot port: line 1 contains a NUL byte")
    assert err[3:] == [
        "1 file changed, 2 functions converted, 0 sites left with reasons, 1 file not ported"]


def test_what_the_port_skips_is_not_copied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Version control, virtual environments, caches and builds: not the code base."""
    monkeypatch.chdir(tmp_path)
    for skipped in (".git", "venv", "node_modules", "build", "__pycache__"):
        for n in range(5):
            write_tree(tmp_path, {f"{skipped}/f{n}.txt": "x"})
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    write_tree(tmp_path, {"app.py": LEDGER["helper.py"]})
    monkeypatch.setattr(_tree, "MAX_FILES", 3)
    assert main(["port", "--verify", "app.py"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        f"app.py: verify: same transcript, {SIDES}")


# ---------------------------------------------------------------- what runs, and what it imports

@pytest.mark.parametrize("filename, text, style", [
    pytest.param("test_a.py", "def test_x(): pass", PYTEST_STYLE, id="test-function"),
    pytest.param("test_a.py", "class TestX:\n    def test_y(self): pass", PYTEST_STYLE,
                 id="test-class"),
    pytest.param("test_a.py", "import unittest\nclass X(unittest.TestCase): pass",
                 UNITTEST_STYLE, id="testcase"),
    pytest.param("a_test.py", "from base import Base\nclass X(Base): pass", UNITTEST_STYLE,
                 id="test-file-class-with-a-base"),
    pytest.param("checks.py", "import unittest\nclass X(unittest.IsolatedAsyncioTestCase): pass",
                 UNITTEST_STYLE, id="testcase-anywhere"),
    pytest.param("checks.py", "import unittest\nclass B(unittest.TestCase): pass\n"
                 "class X(B): pass", UNITTEST_STYLE, id="testcase-by-a-local-base"),
    pytest.param("checks.py", "import pytest\ndef test_x(): pass", PYTEST_STYLE,
                 id="pytest-functions-anywhere"),
    # left alone: scripts
    pytest.param("checks.py", "def test_connection(): pass", "", id="test-function-no-pytest"),
    pytest.param("test_data.py", "VALUES = [1, 2]", "", id="test-file-without-tests"),
    pytest.param("program.py", "class Server: pass", "", id="program"),
])
def test_test_style(filename: str, text: str, style: str) -> None:
    assert style_of(ast.parse(text), filename) == style


def test_plan_follows_imports(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/core.py": "from . import util\n",
        "pkg/util.py": "import os\n",
        "pkg/cli.py": "from .core import run\n",
        "tests/conftest.py": "",
        "tests/test_core.py": "import pkg.core\ndef test_x(): pass\n",
        "tests/test_other.py": "import helpers\ndef test_x(): pass\n",
        "tests/helpers.py": "",
        "scripts/tool.py": "import pkg\n",
    }
    write_tree(tmp_path, files)
    sources = {str(tmp_path / name): (text.encode(),) for name, text in files.items()}
    changed = [str(tmp_path / name) for name in ("pkg/util.py", "pkg/cli.py",
                                                 "tests/conftest.py")]
    targets, bases = plan(sources, changed, str(tmp_path))
    found = {os.path.relpath(t.path, tmp_path): (t.kind, t.module, t.as_module,
                                                 [os.path.relpath(n, tmp_path) for n in t.needs])
             for t in targets}
    assert found == {
        # a package's modules run as python -m runs them; core (unchanged) imports util
        "pkg/cli.py": (SCRIPT, "pkg.cli", True, ["pkg/util.py"]),
        "pkg/util.py": (SCRIPT, "pkg.util", True, []),
        "tests/conftest.py": (SCRIPT, "conftest", False, []),
        "tests/test_core.py": (TESTS, "test_core", False, ["pkg/util.py", "tests/conftest.py"]),
        "tests/test_other.py": (TESTS, "test_other", False, ["tests/conftest.py"]),
    }
    assert bases == [str(tmp_path)]


def test_outcomes_split_by_module_and_compared() -> None:
    outcomes = {"a.test_x.T.test_1": ("passed", ""), "a.test_xy.test_2": ("failed", "boom"),
                "a.test_z (collecting the module)": ("error", "SyntaxError: x")}
    assert split(outcomes, {"x": "a.test_x", "xy": "a.test_xy", "z": "a.test_z"}) == {
        "x": {"a.test_x.T.test_1": ("passed", "")},
        "xy": {"a.test_xy.test_2": ("failed", "boom")},
        "z": {"a.test_z (collecting the module)": ("error", "SyntaxError: x")},
    }
    assert compare({"t1": ("passed", ""), "t2": ("skipped", "later")},
                   {"t1": ("failed", "AssertionError: 1"), "t3": ("passed", "")}) == [
        "t1: passed -> failed (AssertionError: 1)",
        "t2: skipped -> not run",
        "t3: not run -> passed",
    ]
