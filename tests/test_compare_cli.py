"""``legacy-coro compare``: exit codes and output, on tiny scripts written into tmp_path."""

import json
import os
import stat
import sys
import textwrap
from pathlib import Path

import pytest

from legacy_coro import _compare
from legacy_coro._main import main

VERSION = "{}.{}".format(*sys.version_info[:2])
HEADER = f"== Python {VERSION} ({sys.executable}) =="

ASYNC_HELLO = """\
import asyncio

async def main():
    print("hello", asyncio.get_running_loop().time())
    print("result", 42)

asyncio.run(main())
"""


def write(path: Path, source: str) -> str:
    """Write a script (making its directory) and return its path relative to the cwd."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return os.path.relpath(str(path))


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


def row(left, mark, right):
    """One side-by-side row at --width 60: two 28-character columns around a mark."""
    return (left.ljust(28) + f" {mark} " + right).rstrip()


RULE = "-" * 28 + "   " + "-" * 28


def compare(*args):
    return main(["compare", "--width", "60", *args])


def test_equal_pair(in_tmp, capsys):
    # different paths, line numbers, addresses and loop.time() values, same behaviour
    a = write(in_tmp / "a" / "x.py", ASYNC_HELLO)
    b = write(in_tmp / "b" / "x.py", "# the ported one\n\n" + ASYNC_HELLO)
    assert compare(a, b) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        HEADER,
        row("a/x.py", " ", "b/x.py"),
        RULE,
        row("hello <time>", " ", "hello <time>"),
        row("result 42", " ", "result 42"),
        f"same: a/x.py and b/x.py print the same transcript on Python {VERSION}",
    ]
    assert err == ""


def test_addresses_and_tracebacks_are_normalised(in_tmp, capsys):
    source = """\
    import traceback
    def f():
        traceback.print_stack(limit=1)
    print(f, object())
    f()
    """
    a = write(in_tmp / "a.py", source)
    b = write(in_tmp / "sub" / "b.py", "\n\n" + textwrap.dedent(source))
    assert compare("--width", "200", a, b) == 0
    out, _ = capsys.readouterr()
    assert "<function f at 0x...> <object object at 0x...>" in out
    assert '[stderr]   File "<script>", line <line>, in f' in out


def test_changed_value(in_tmp, capsys):
    a = write(in_tmp / "a.py", 'print("one")\nprint("value", 1)\nprint("three")\n')
    b = write(in_tmp / "b.py", 'print("one")\nprint("value", 2)\nprint("three")\n')
    assert compare(a, b) == 1
    out, _ = capsys.readouterr()
    assert out.splitlines()[3:] == [
        row("one", " ", "one"),
        row("value 1", "|", "value 2"),
        row("three", " ", "three"),
        f"different: a.py and b.py print different transcripts on Python {VERSION} "
        "(1 line differs)",
    ]


def test_swapped_lines(in_tmp, capsys):
    a = write(in_tmp / "a.py", 'print("first")\nprint("second")\n')
    b = write(in_tmp / "b.py", 'print("second")\nprint("first")\n')
    assert compare(a, b) == 1
    out, _ = capsys.readouterr()
    assert out.splitlines()[3:-1] == [
        row("", ">", "second"),
        row("first", " ", "first"),
        row("second", "<", ""),
    ]
    assert out.splitlines()[-1].startswith("different: ")


def test_missing_line(in_tmp, capsys):
    a = write(in_tmp / "a.py", 'print("one")\nprint("two")\nprint("three")\n')
    b = write(in_tmp / "b.py", 'print("one")\nprint("three")\n')
    assert compare(a, b) == 1
    out, _ = capsys.readouterr()
    assert out.splitlines()[3:] == [
        row("one", " ", "one"),
        row("two", "<", ""),
        row("three", " ", "three"),
        f"different: a.py and b.py print different transcripts on Python {VERSION} "
        "(1 line differs)",
    ]


def test_extra_stderr(in_tmp, capsys):
    a = write(in_tmp / "a.py", 'print("done")\n')
    b = write(in_tmp / "b.py",
              'import warnings\nwarnings.warn("old style", DeprecationWarning, stacklevel=1)\n'
              'print("done")\n')
    assert compare(a, b) == 1
    out, _ = capsys.readouterr()
    lines = out.splitlines()
    assert lines[3] == row("done", " ", "done")
    assert lines[4] == row("", ">", "[stderr] <script>:<line>: De")
    assert lines[-1].startswith("different: ")


def test_hanging_script_is_killed(in_tmp, capsys):
    a = write(in_tmp / "a.py", 'print("quick")\n')
    b = write(in_tmp / "b.py", 'import time\nprint("slow", flush=True)\ntime.sleep(600)\n')
    assert compare("--timeout", "1", a, b) == 1
    out, _ = capsys.readouterr()
    assert row("quick", "|", "slow") in out.splitlines()
    assert out.splitlines()[-1] == (
        f"timed out: b.py killed after the 1 s timeout on Python {VERSION}")


def test_crashing_script(in_tmp, capsys):
    a = write(in_tmp / "a.py", 'print("ok")\n')
    b = write(in_tmp / "b.py", 'print("ok")\nraise ValueError("boom")\n')
    assert compare("--width", "200", a, b) == 1
    out, _ = capsys.readouterr()
    assert "[stderr] ValueError: boom" in out
    assert '[stderr]   File "<script>", line <line>, in <module>' in out
    assert out.splitlines()[-1] == (
        f"failed: b.py exited with 1 on Python {VERSION} (exit codes 0/1)"
    )


def test_both_fail_the_same_way_is_still_failed(in_tmp, capsys):
    a = write(in_tmp / "a.py", "raise SystemExit(3)\n")
    b = write(in_tmp / "b.py", "raise SystemExit(3)\n")
    assert compare(a, b) == 1
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"failed: a.py exited with 3, b.py exited with 3 on Python {VERSION} (exit codes 3/3)"
    )


def test_missing_file(in_tmp, capsys):
    a = write(in_tmp / "a.py", 'print("x")\n')
    assert compare(a, "nothere.py") == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "legacy-coro compare: error: nothere.py: no such file; "
        "pass two existing .py files or two directories\n"
    )


def test_not_a_python_file(in_tmp, capsys):
    a = write(in_tmp / "a.py", 'print("x")\n')
    (in_tmp / "notes.txt").write_text("print('x')\n")
    assert compare(a, "notes.txt") == 2
    assert capsys.readouterr().err == (
        "legacy-coro compare: error: notes.txt is not a Python file (.py); "
        "pass two .py files or two directories\n"
    )


def test_file_and_directory_mixed(in_tmp, capsys):
    a = write(in_tmp / "d" / "a.py", 'print("x")\n')
    assert compare(a, "d") == 2
    assert "not one of each" in capsys.readouterr().err


def test_wrong_number_of_arguments(in_tmp, capsys):
    a = write(in_tmp / "a.py", 'print("x")\n')
    assert compare(a) == 2
    assert "expected two .py files or two directories, got 1" in capsys.readouterr().err


def make_dirs(root: Path):
    write(root / "old" / "same.py", 'print("same")\n')
    write(root / "new" / "same.py", 'print("same")\n')
    write(root / "old" / "differs.py", 'print(1)\n')
    write(root / "new" / "differs.py", 'print(2)\n')
    write(root / "old" / "lonely.py", 'print("no partner")\n')
    write(root / "new" / "crashes.py", 'raise SystemExit(4)\n')
    write(root / "old" / "crashes.py", 'print("fine")\n')
    # not top-level: never paired
    write(root / "old" / "as_printed" / "same.py", 'print("book")\n')
    (root / "old" / "README.txt").write_text("not a script\n")


def test_directory_mode(in_tmp, capsys):
    make_dirs(in_tmp)
    assert compare("--jobs", "2", "old", "new") == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[:3] == ["A: old", "B: new", ""]
    table = [line.split()[:4] for line in lines[3:8]]
    assert table == [
        ["name", "status", f"({VERSION})", "exit"],
        ["crashes.py", "failed", "0/4", lines[4].split()[-1]],
        ["differs.py", "different", "0/0", lines[5].split()[-1]],
        ["lonely.py", "missing", "in", "B"],
        ["same.py", "same", "0/0", lines[7].split()[-1]],
    ]
    assert lines[6].split() == ["lonely.py", "missing", "in", "B", "-", "-"]
    assert lines[-1].startswith(
        f"verdict: 3 of 4 pairs not the same on Python {VERSION} "
        "(1 failed, 1 different, 1 missing in B)"
    )
    assert err == ""  # no progress indicator when stderr is not a terminal


def test_directory_mode_all_same(in_tmp, capsys):
    write(in_tmp / "old" / "one.py", 'print("1")\n')
    write(in_tmp / "new" / "one.py", 'print("1")\n')
    assert compare("old", "new") == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"verdict: all 1 pairs same on Python {VERSION}"
    )


def test_no_arguments_uses_the_example_directories(in_tmp, capsys):
    write(in_tmp / "examples_legacy" / "hi.py", 'print("hi")\n')
    write(in_tmp / "examples_native" / "hi.py", 'print("hi")\n')
    assert compare() == 0
    out = capsys.readouterr().out
    assert out.startswith(f"A: {in_tmp / 'examples_legacy'}\nB: {in_tmp / 'examples_native'}\n")


def test_json(in_tmp, capsys):
    make_dirs(in_tmp)
    assert compare("--json", "old", "new") == 1
    document = json.loads(capsys.readouterr().out)
    assert document["same"] is False
    side = {"label": VERSION, "executable": sys.executable}
    assert document["pythons"] == [{"label": VERSION, "a": side, "b": side}]
    assert document["compat_a"] is False
    assert document["interrupted"] is None
    results = {r["name"]: r for r in document["results"]}
    assert {name: r["status"] for name, r in results.items()} == {
        "crashes.py": "failed",
        "differs.py": "different",
        "lonely.py": "missing in B",
        "same.py": "same",
    }
    assert results["differs.py"]["a"]["transcript"] == "1\n"
    assert results["differs.py"]["b"]["transcript"] == "2\n"
    assert results["crashes.py"]["b"]["exit_code"] == 4
    assert "transcript" not in results["same.py"]["a"]
    assert results["lonely.py"]["b"] is None


def test_diff(in_tmp, capsys):
    a = write(in_tmp / "a.py", 'print("one")\nprint("two")\n')
    b = write(in_tmp / "b.py", 'print("one")\nprint("2")\n')
    assert compare("--diff", a, b) == 1
    assert capsys.readouterr().out.splitlines()[1:] == [
        "--- a.py",
        "+++ b.py",
        "@@ -1,2 +1,2 @@",
        " one",
        "-two",
        "+2",
        f"different: a.py and b.py print different transcripts on Python {VERSION} "
        "(1 line differs)",
    ]


def test_colour_always_and_never(in_tmp, capsys):
    a = write(in_tmp / "a.py", 'print("one")\n')
    b = write(in_tmp / "b.py", 'print("two")\n')
    assert compare("--diff", "--color", "always", a, b) == 1
    assert "\033[31m-one\033[0m" in capsys.readouterr().out
    assert compare("--diff", "--color", "never", a, b) == 1
    assert "\033[" not in capsys.readouterr().out


def test_no_normalize_shows_raw_text(in_tmp, capsys):
    source = 'print(object())\n'
    a = write(in_tmp / "a.py", source)
    b = write(in_tmp / "b.py", source)
    assert compare("--no-normalize", "--json", a, b) == 1
    document = json.loads(capsys.readouterr().out)
    transcript = document["results"][0]["a"]["transcript"]
    assert transcript.startswith("<object object at 0x") and "0x..." not in transcript


def test_user_normalize_rule(in_tmp, capsys):
    a = write(in_tmp / "a.py", 'print("took 12 ms")\nprint("x")\n')
    b = write(in_tmp / "b.py", 'print("took 7 ms")\nprint("x")\n')
    assert compare(a, b) == 1
    capsys.readouterr()
    assert compare("--normalize", r"\d+ ms=N ms", a, b) == 0
    assert "took N ms" in capsys.readouterr().out


@pytest.mark.parametrize("rule, message", [
    ("no-equals-sign", "expected REGEX=REPL"),
    ("(unclosed=x", "bad regular expression"),
    (r"(a)=\2", "bad replacement"),
])
def test_bad_normalize_rule(in_tmp, capsys, rule, message):
    a = write(in_tmp / "a.py", 'print("x")\n')
    assert compare("--normalize", rule, a, a) == 2
    err = capsys.readouterr().err
    assert err.startswith("legacy-coro compare: error: --normalize ") and message in err


def test_python_version_string_resolves(in_tmp, capsys):
    a = write(in_tmp / "a.py", 'import sys\nprint(sys.version_info[:2])\n')
    assert compare("--python", VERSION, a, a) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == HEADER
    assert "({}, {})".format(*sys.version_info[:2]) in out


def test_python_twice_gives_a_column_each(in_tmp, capsys):
    make_dirs(in_tmp)
    assert compare("--python", VERSION, "--python", sys.executable, "old", "new") == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[3].split() == ["name", VERSION, sys.executable]
    assert lines[7].split()[:3] == ["same.py", "same", lines[7].split()[2]]
    assert lines[7].split()[3] == "same"


def test_bogus_python_is_a_usage_error(in_tmp, capsys, monkeypatch):
    monkeypatch.setenv("PYENV_ROOT", str(in_tmp / "no-pyenv"))
    a = write(in_tmp / "a.py", 'print("x")\n')
    assert compare("--python", "3.99", a, a) == 2
    err = capsys.readouterr().err
    assert err.startswith("legacy-coro compare: error: --python 3.99: found no working Python")
    assert "pyenv install 3.99" in err
    assert compare("--python", str(in_tmp / "nope" / "python"), a, a) == 2
    assert "no such interpreter" in capsys.readouterr().err


def fake_python(path: Path, reports: str) -> None:
    """An executable that runs the real interpreter but claims to be version ``reports``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "-c" ]; then echo ' + reports + "; exit 0; fi\n"
        f'exec "{sys.executable}" "$@"\n'
    )
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.mark.skipif(sys.platform == "win32", reason="shell-script stand-ins for interpreters")
def test_version_found_on_path(in_tmp, monkeypatch):
    fake_python(in_tmp / "bin" / "python3.97", "3.97")
    monkeypatch.setenv("PATH", str(in_tmp / "bin"))
    monkeypatch.setenv("PYENV_ROOT", str(in_tmp / "no-pyenv"))
    assert _compare.resolve_python("3.97") == _compare.Interpreter(
        "3.97", str(in_tmp / "bin" / "python3.97"))


@pytest.mark.skipif(sys.platform == "win32", reason="shell-script stand-ins for interpreters")
def test_version_found_in_pyenv_newest_patch(in_tmp, monkeypatch):
    root = in_tmp / "pyenv"
    for patch in ("3.97.2", "3.97.10", "3.97.9"):
        fake_python(root / "versions" / patch / "bin" / "python3.97", "3.97")
    (root / "versions" / "3.97-dev").mkdir()
    monkeypatch.setenv("PATH", str(in_tmp / "empty"))
    monkeypatch.setenv("PYENV_ROOT", str(root))
    found = _compare.resolve_python("3.97")
    assert found.executable == str(root / "versions" / "3.97.10" / "bin" / "python3.97")


@pytest.mark.skipif(sys.platform == "win32", reason="shell-script stand-ins for interpreters")
def test_version_found_in_pyenv_pre_release_only_when_no_final(in_tmp, monkeypatch):
    """A build from a branch (`3.15.0rc1+`) is found, newest first, after any final release."""
    root = in_tmp / "pyenv"
    for build in ("3.97.0a7", "3.97.0rc1+", "3.97.0b2"):
        fake_python(root / "versions" / build / "bin" / "python3.97", "3.97")
    fake_python(root / "versions" / "3.97.0junk" / "bin" / "python3.97", "3.97")
    monkeypatch.setenv("PATH", str(in_tmp / "empty"))
    monkeypatch.setenv("PYENV_ROOT", str(root))
    assert _compare._pyenv_candidates("3.97") == [
        str(root / "versions" / build / "bin" / "python3.97")
        for build in ("3.97.0rc1+", "3.97.0b2", "3.97.0a7")]
    assert _compare.resolve_python("3.97").executable == _compare._pyenv_candidates("3.97")[0]
    fake_python(root / "versions" / "3.97.0" / "bin" / "python3.97", "3.97")
    assert _compare.resolve_python("3.97").executable == str(
        root / "versions" / "3.97.0" / "bin" / "python3.97")


@pytest.mark.skipif(sys.platform == "win32", reason="shell-script stand-ins for interpreters")
def test_version_on_path_that_lies_is_skipped(in_tmp, monkeypatch):
    fake_python(in_tmp / "bin" / "python3.97", "3.8")  # e.g. a pyenv shim for another version
    monkeypatch.setenv("PATH", str(in_tmp / "bin"))
    monkeypatch.setenv("PYENV_ROOT", str(in_tmp / "no-pyenv"))
    with pytest.raises(LookupError, match="found no working Python 3.97"):
        _compare.resolve_python("3.97")


def test_help_names_the_normalisation_rules(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", "--help"])
    assert exit_info.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    from legacy_coro._normalize import RULES

    assert f"default rules: {', '.join(rule.name for rule in RULES)}." in out
    assert "--normalize RE=REPL" in out and "--no-normalize" in out and "--skip-rule" in out


def test_python_dash_m_runs_it(in_tmp):
    import subprocess

    a = write(in_tmp / "a.py", 'print("x")\n')
    done = subprocess.run([sys.executable, "-m", "legacy_coro", "compare", a, a],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith("same: ")


def test_hint_when_the_interpreter_lacks_legacy_coro(in_tmp, capsys):
    a = write(in_tmp / "a.py", 'print("x")\n')
    b = write(in_tmp / "b.py", "raise ModuleNotFoundError(\"No module named 'legacy_coro'\")\n")
    assert compare(a, b) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2] == (f"hint: {sys.executable} cannot import legacy_coro; "
                         f"{_compare.install_advice(sys.executable)}")


def test_install_advice_names_the_checkout_or_a_wheel(tmp_path, monkeypatch):
    """legacy_coro is not on the public index: say how to install it from here."""
    import shlex

    import legacy_coro

    checkout = Path(_compare.__file__).resolve().parent.parent
    advice = _compare.install_advice("/opt/py 3/bin/python")
    if (checkout / "setup.cfg").is_file():  # an editable install or a source tree
        assert advice == ("install it there from this checkout: '/opt/py 3/bin/python' -m pip "
                          f"install {shlex.quote(str(checkout))}")
    monkeypatch.setattr(_compare, "__file__", str(tmp_path / "site" / "legacy_coro" / "x.py"))
    assert _compare.install_advice("python3.13") == (
        "install it there from a wheel built in a checkout of legacy_coro (`python -m pip wheel "
        f"--no-deps .`): python3.13 -m pip install legacy_coro-{legacy_coro.__version__}"
        "-py3-none-any.whl")


@pytest.mark.parametrize("option, message", [
    (["--jobs", "-1"], "--jobs -1: give 0 (one per CPU) or more"),
    (["--timeout", "0"], "--timeout 0: give a positive number of seconds"),
    (["--timeout", "-1"], "--timeout -1: give a positive number of seconds"),
])
def test_bad_numbers(in_tmp, capsys, option, message):
    a = write(in_tmp / "a.py", 'print("x")\n')
    assert compare(*option, a, a) == 2
    assert capsys.readouterr().err == f"legacy-coro compare: error: {message}\n"


def test_no_arguments_and_no_examples_anywhere(in_tmp, capsys, monkeypatch):
    monkeypatch.setattr(_compare, "__file__", str(in_tmp / "pkg" / "legacy_coro" / "_compare.py"))
    assert compare() == 2
    assert capsys.readouterr().err == (
        "legacy-coro compare: error: no examples_legacy/ and examples_native/ here or in the "
        "source checkout; run it from the project root or pass two directories (or two .py "
        "files)\n"
    )


class Terminal:
    """A stand-in for stderr on a terminal, recording what is written."""

    def __init__(self):
        self.written = []

    def isatty(self):
        return True

    def write(self, text):
        self.written.append(text)

    def flush(self):
        pass


def options(**changes):
    fields = dict(paths=["old", "new"], pythons=[], jobs=1, timeout=60.0, python_args=[],
                  user_rules=[], normalize_defaults=True, diff=False, json=False,
                  colour=False, width=60)
    fields.update(changes)
    return _compare.Options(**fields)


def test_progress_only_on_a_terminal(in_tmp, capsys):
    write(in_tmp / "old" / "one.py", 'print("1")\n')
    write(in_tmp / "new" / "one.py", 'print("1")\n')
    terminal = Terminal()
    assert _compare.run_compare(options(), err=terminal) == 0
    assert terminal.written == [f"\r\033[K[1/1] one.py ({VERSION}): same", "\r\033[K"]
    assert "\033[" not in capsys.readouterr().out


def test_python_given_as_a_path_is_labelled_with_its_version(in_tmp, capsys):
    a = write(in_tmp / "a.py", 'print("x")\n')
    assert compare("--python", sys.executable, a, a) == 0
    assert capsys.readouterr().out.splitlines()[0] == HEADER


def test_jobs_0_is_one_per_cpu(in_tmp, capsys):
    make_dirs(in_tmp)
    assert compare("--jobs", "0", "old", "new") == 1
    assert capsys.readouterr().out.splitlines()[-1].startswith("verdict: 3 of 4 pairs not")


def test_two_empty_directories_are_a_usage_error(in_tmp, capsys):
    (in_tmp / "old").mkdir()
    (in_tmp / "new" / "sub").mkdir(parents=True)
    write(in_tmp / "new" / "sub" / "deep.py", 'print("not top level")\n')
    assert compare("old", "new") == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == ("legacy-coro compare: error: no *.py files in old or in new (only the top "
                   "level of each directory is compared); pass two directories of scripts\n")


# -------------------------------------------------- one side under the layer, or elsewhere

SHOWS_THE_LAYER = """\
import os, sys
print("layer", "legacy_coro" in sys.modules)
print("report", os.environ.get("LEGACY_CORO_REPORT"))
"""
NATIVE_LAYER = 'print("layer", True)\nprint("report", None)\n'


def test_compat_a_runs_side_a_as_legacy_coro_run_with_the_report_off(in_tmp, capsys,
                                                                     monkeypatch):
    report = in_tmp / "report.json"
    monkeypatch.setenv("LEGACY_CORO_REPORT", str(report))
    a = write(in_tmp / "a.py", SHOWS_THE_LAYER)
    b = write(in_tmp / "b.py", NATIVE_LAYER)
    assert compare("--compat-a", a, b) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"== Python {VERSION} ({sys.executable}); A under legacy-coro run =="
    assert out[-1] == (f"same: a.py and b.py print the same transcript on Python {VERSION}, "
                       "A under legacy-coro run")
    assert not report.exists()
    assert compare(a, b) == 1  # without the layer: "layer False" and the variable set
    assert row("layer False", "|", "layer True") in capsys.readouterr().out.splitlines()


OLD_STYLE = """\
import asyncio


@asyncio.coroutine
def tick(loop):
    with (yield from asyncio.Lock(loop=loop)):
        yield from asyncio.sleep(0, loop=loop)
    done, _ = yield from asyncio.wait([asyncio.sleep(0, result=n) for n in range(3)])
    return sorted(t.result() for t in done)


loop = asyncio.new_event_loop()
print(loop.run_until_complete(tick(loop)))
loop.close()
"""
NEW_STYLE = """\
import asyncio


async def tick():
    async with asyncio.Lock():
        await asyncio.sleep(0)
    done, _ = await asyncio.wait([asyncio.ensure_future(asyncio.sleep(0, result=n))
                                  for n in range(3)])
    return sorted(t.result() for t in done)


print(asyncio.run(tick()))
"""


def test_compat_a_runs_unmodified_old_code_in_directories(in_tmp, capsys):
    write(in_tmp / "old" / "tick.py", OLD_STYLE)
    write(in_tmp / "new" / "tick.py", NEW_STYLE)
    assert compare("--compat-a", "--jobs", "2", "old", "new") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == [
        f"A: old  under legacy-coro run on Python {VERSION} ({sys.executable})",
        f"B: new  on Python {VERSION} ({sys.executable})",
        "",
    ]
    assert lines[4].split()[:2] == ["tick.py", "same"]
    assert lines[-1] == f"verdict: all 1 pairs same on Python {VERSION}"
    assert compare("old", "new") == 1  # plainly: DeprecationWarnings on 3.8, errors on 3.9+
    assert capsys.readouterr().out.splitlines()[4].split()[:2] == [
        "tick.py", "different" if sys.version_info < (3, 9) else "failed"]


def stand_in(path: Path, reports: str, importable: bool = True) -> str:
    """A stand-in interpreter: runs this one, but answers the version probe with ``reports``
    and, unless ``importable``, fails the probe for legacy_coro."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "#!/bin/sh\n"
        + ("" if importable else
           'case "$2" in *legacy_coro*) echo "No module named legacy_coro" >&2; exit 1;; esac\n')
        + 'if [ "$1" = "-c" ] && [ "$2" != "${2#import sys}" ]; then echo ' + reports
        + "; exit 0; fi\n"
        + f'exec "{sys.executable}" "$@"\n'
    )
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


posix_only = pytest.mark.skipif(sys.platform == "win32",
                                reason="shell-script stand-ins for interpreters")


@posix_only
def test_python_a_and_python_b_name_both_interpreters(in_tmp, capsys):
    other = stand_in(in_tmp / "bin" / "python-other", VERSION)
    a = write(in_tmp / "a.py", 'import sys\nprint(sys.argv[0].endswith("a.py"))\n')
    b = write(in_tmp / "b.py", 'import sys\nprint(sys.argv[0].endswith("b.py"))\n')
    assert compare("--python-a", other, "--python-b", sys.executable, a, b) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"== A: Python {VERSION} ({other}); B: Python {VERSION} ({sys.executable}) =="
    assert out[-1] == (f"same: a.py and b.py print the same transcript on Python {VERSION} (A) "
                       f"and {VERSION} (B)")
    assert compare("--diff", "--python-a", other, a, b) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("== A: ")


@posix_only
def test_python_a_in_directories_with_a_column_per_python(in_tmp, capsys):
    other = stand_in(in_tmp / "bin" / "python-other", VERSION)
    make_dirs(in_tmp)
    assert compare("--python-a", other, "--python", VERSION, "--python", sys.executable,
                   "--jobs", "3", "old", "new") == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"A: old  on Python {VERSION} ({other})"
    assert lines[1] == "B: new"
    assert lines[3].split() == ["name", f"{VERSION}/{VERSION}", f"{VERSION}/{sys.executable}"]
    cells = lines[7].split()
    assert (cells[:2], cells[3]) == (["same.py", "same"], "same")
    assert compare("--json", "--python-a", other, "old", "new") == 1
    document = json.loads(capsys.readouterr().out)
    assert document["pythons"] == [{
        "label": f"{VERSION}/{VERSION}",
        "a": {"label": VERSION, "executable": other},
        "b": {"label": VERSION, "executable": sys.executable},
    }]
    assert {r["python"] for r in document["results"]} == {f"{VERSION}/{VERSION}"}


def test_python_with_both_sides_fixed_is_a_usage_error(in_tmp, capsys):
    a = write(in_tmp / "a.py", 'print("x")\n')
    assert compare("--python-a", VERSION, "--python-b", VERSION, "--python", VERSION, a, a) == 2
    assert capsys.readouterr().err == (
        "legacy-coro compare: error: --python chooses the interpreter of a side that --python-a "
        "or --python-b does not fix, and they fix both: drop --python\n")


@posix_only
def test_compat_a_needs_python_3_8_and_legacy_coro_on_side_a(in_tmp, capsys):
    a = write(in_tmp / "a.py", 'print("x")\n')
    old = stand_in(in_tmp / "bin" / "python-old", "3.7")
    assert compare("--compat-a", "--python-a", old, a, a) == 2
    assert capsys.readouterr().err == (
        "legacy-coro compare: error: --compat-a: legacy-coro run needs Python 3.8+, and side A "
        f"runs on Python 3.7 ({old}), where old code runs as it is: drop --compat-a\n")
    bare = stand_in(in_tmp / "bin" / "python-bare", VERSION, importable=False)
    assert compare("--compat-a", "--python-a", bare, a, a) == 2
    assert capsys.readouterr().err == (
        f"legacy-coro compare: error: --compat-a: {bare} cannot import legacy_coro, so it "
        "cannot run side A under legacy-coro run; "
        f"{_compare.install_advice(bare)}\n")
    assert compare("--python-a", old, a, a) == 0  # without the layer, any Python will do
    capsys.readouterr()


@posix_only
def test_hint_for_a_python_too_old_for_legacy_coro(in_tmp, capsys):
    old = stand_in(in_tmp / "bin" / "python-old", "3.7")
    a = write(in_tmp / "a.py", "raise ModuleNotFoundError(\"No module named 'legacy_coro'\")\n")
    b = write(in_tmp / "b.py", 'print("x")\n')
    assert compare("--python-a", old, a, b) == 1
    assert capsys.readouterr().out.splitlines()[-2] == (
        f"hint: Python 3.7 ({old}) cannot import legacy_coro, which needs Python 3.8+; run "
        "there only code that does not import it (the old code as it was)")


def test_keyboard_interrupt_outside_the_runs_is_one_line_and_130(in_tmp, capsys, monkeypatch):
    """Before the runs start (and in port's porting phase) Ctrl-C is still no traceback."""
    def interrupted(options, out=None, err=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(_compare, "run_compare", interrupted)
    assert compare("a.py", "b.py") == 130
    assert capsys.readouterr().err == "legacy-coro compare: interrupted\n"


def test_a_reader_that_goes_away_is_no_traceback(in_tmp):
    """`legacy-coro compare --json | head -1`: stdout closes early; exit 1, nothing on stderr."""
    import subprocess

    a = write(in_tmp / "a.py", 'print("x")\n')
    process = subprocess.Popen([sys.executable, "-m", "legacy_coro", "compare", "--json", a, a],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before it writes: its first write meets a closed pipe
    err = process.stderr.read()
    process.stderr.close()
    assert (process.wait(), err) == (1, "")


def test_signal_handlers_are_put_back(in_tmp, capsys):
    import signal

    a = write(in_tmp / "a.py", 'print("x")\n')
    before = [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)]
    assert compare(a, a) == 0
    assert [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)] == before
