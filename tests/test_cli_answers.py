"""The command line answers bad input as ruff, pytest and pip do (issue 19).

One test per item: every bad input gets one clear line saying what was wrong
and what to do, with the exit status the command reference documents (2 for
bad input and usage errors); an unknown option shows the usage of the command
it was given to; every ``--help`` fits a screen; ``compare`` of two test
modules is not "different" because of their timing lines; the test set-up line
leaves the newest Python first.

The port's answers to a file it cannot decode (a binary file, a NUL byte,
bytes of another encoding) say the file, the line and what to do.
"""

import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import List

import pytest

from legacy_coro._cmd_port import DEFAULT_TARGET, TARGETS
from legacy_coro._main import COMMANDS, main

ROOT = Path(__file__).resolve().parent.parent

# imported as pytest.importorskip does, warnings ignored (on 3.8, LibCST's typing_inspect
# imports a deprecated mypy_extensions name), so that `port` finds it imported
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    try:
        import libcst
    except ImportError:  # PyPy: no port extra
        libcst = None

needs_libcst = pytest.mark.skipif(libcst is None, reason="legacy-coro port needs LibCST")

LEGACY = ("import asyncio\n\n\n@asyncio.coroutine\ndef f():\n"
          "    yield from asyncio.sleep(0)\n")


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("NO_COLOR", "1")
    return tmp_path


def exits(argv: List[str]) -> int:
    """Run ``legacy-coro ARGV``; return the exit status whether main returns or argparse exits."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def usage_of(command: str, capsys: pytest.CaptureFixture[str]) -> str:
    """The usage lines of ``legacy-coro COMMAND``, as --help prints them."""
    assert exits([command, "--help"]) == 0
    out = capsys.readouterr().out
    return out.split("\n\n")[0] + "\n"


# --------------------------------------------------------------- port: paths

@pytest.mark.parametrize("layout", ["empty", "no .py"])
def test_port_of_a_directory_without_python_files(in_tmp: Path, layout: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    tree = in_tmp / "src"
    tree.mkdir()
    if layout == "no .py":
        (tree / "README.txt").write_text("no code here\n")
        (tree / ".hidden").mkdir()
        (tree / ".hidden" / "skipped.py").write_text(LEGACY)  # hidden directories are skipped
    assert exits(["port", "src"]) == 2
    assert capsys.readouterr().err == (
        "legacy-coro port: error: no Python files found in src; pass .py files or "
        "directories that hold some\n")


def test_port_of_several_directories_without_python_files(
        in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "a").mkdir()
    (in_tmp / "b").mkdir()
    assert exits(["port", "--check", "a", "b"]) == 2
    assert capsys.readouterr().err == (
        "legacy-coro port: error: no Python files found in any of a, b; pass .py files or "
        "directories that hold some\n")


@needs_libcst
def test_port_of_an_empty_directory_beside_python_files_ports_them(
        in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "empty").mkdir()
    (in_tmp / "old.py").write_text(LEGACY)
    assert exits(["port", "--check", "empty", "old.py"]) == 1
    assert capsys.readouterr().err.splitlines()[-1].startswith("1 file would be changed")


def test_port_of_a_missing_path_is_one_line(in_tmp: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "old.py").write_text(LEGACY)
    assert exits(["port", "old.py", "nonexistent.py"]) == 2
    assert capsys.readouterr().err == (
        "legacy-coro port: error: nonexistent.py: no such file or directory\n")
    assert (in_tmp / "old.py").read_text() == LEGACY  # nothing was ported


@pytest.mark.parametrize("command, message", [
    (["run", "nonexistent.py"], "legacy-coro run: can't open file "),
    (["compare", "nonexistent.py", "other.py"],
     "legacy-coro compare: error: nonexistent.py: no such file; pass two existing .py files "
     "or two directories"),
])
def test_run_and_compare_of_a_missing_path_are_one_line(
        in_tmp: Path, command: List[str], message: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert exits(command) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1, err


# ------------------------------------------------- port: files it cannot read

#: (file name, bytes, the one line the port must print for it)
UNREADABLE = [
    pytest.param(
        "binary.py", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "binary.py: cannot port: line 3 contains a NUL byte (not Python source); remove it "
        "or leave the file out", id="binary"),
    pytest.param(
        "nul.py", b"x = 1\x00\n",
        "nul.py: cannot port: line 1 contains a NUL byte (not Python source); remove it or "
        "leave the file out", id="NUL byte"),
    pytest.param(
        "nul_asyncio.py", LEGACY.encode() + b"x = 1\x00\n",
        "nul_asyncio.py: cannot port: line 7 contains a NUL byte (not Python source); remove "
        "it or leave the file out", id="NUL byte, asyncio"),
    pytest.param(
        "latin1.py", b"# caf\xe9\nx = 1\n",
        "latin1.py: cannot port: line 1 is not UTF-8 (byte 0xe9) and no encoding is "
        "declared; add a coding line (# -*- coding: latin-1 -*-) or convert the file to UTF-8",
        id="Latin-1"),
    pytest.param(
        "latin1_asyncio.py", LEGACY.encode() + b"# caf\xe9\n",
        "latin1_asyncio.py: cannot port: line 7 is not UTF-8 (byte 0xe9) and no encoding is "
        "declared; add a coding line (# -*- coding: latin-1 -*-) or convert the file to UTF-8",
        id="Latin-1, asyncio"),
]


@needs_libcst
@pytest.mark.parametrize("name, data, line", UNREADABLE)
def test_port_of_a_file_it_cannot_decode(in_tmp: Path, name: str, data: bytes, line: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """One line naming the file, the line and what to do; exit 2; the file untouched."""
    (in_tmp / name).write_bytes(data)
    assert exits(["port", name]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == line
    assert len(err) == 2 and err[1].endswith(", 1 file not ported"), err
    assert (in_tmp / name).read_bytes() == data


@needs_libcst
def test_a_latin1_file_that_declares_its_encoding_ports(
        in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = b"# -*- coding: latin-1 -*-\n" + LEGACY.encode() + b"# caf\xe9\n"
    (in_tmp / "declared.py").write_bytes(data)
    assert exits(["port", "declared.py"]) == 1
    assert capsys.readouterr().err.startswith("Rewriting declared.py\n")
    assert (in_tmp / "declared.py").read_bytes().endswith(b"# caf\xe9\n")


# ----------------------------------------------------------- unknown options

def test_unknown_top_level_flag_says_it_is_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    assert exits(["--bogus"]) == 2
    err = capsys.readouterr().err
    assert err == ("usage: legacy-coro [-h] [--version] COMMAND ...\n"
                   "legacy-coro: error: unrecognized arguments: --bogus\n")


def test_no_command_names_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert exits([]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "legacy-coro: error: give a command: run, compare, port (legacy-coro --help lists "
        "them)")


def test_unknown_flag_before_the_command_is_the_top_levels(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert exits(["--bogus", "port", "x.py"]) == 2
    assert capsys.readouterr().err.startswith("usage: legacy-coro [-h]")


@pytest.mark.parametrize("command", list(COMMANDS))
def test_unknown_flag_shows_the_commands_usage(in_tmp: Path, command: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    usage = usage_of(command, capsys)
    assert exits([command, "--bogus", "src/"]) == 2
    assert capsys.readouterr().err == (
        f"{usage}legacy-coro {command}: error: unrecognized arguments: --bogus\n")


def test_bad_value_shows_the_commands_usage(capsys: pytest.CaptureFixture[str]) -> None:
    usage = usage_of("compare", capsys)
    assert exits(["compare", "--jobs", "abc"]) == 2
    assert capsys.readouterr().err == (
        f"{usage}legacy-coro compare: error: argument -j/--jobs: invalid int value: 'abc'\n")


def test_run_passes_unknown_flags_after_the_program_to_it(in_tmp: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    (in_tmp / "show.py").write_text("import sys\nprint(sys.argv[1:])\n")
    done = subprocess.run([sys.executable, "-m", "legacy_coro", "run", "show.py", "--bogus"],
                          cwd=str(in_tmp), capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, "['--bogus']\n", "")


# ------------------------------------------------------------------ targets

def test_port_usage_lists_every_accepted_target(capsys: pytest.CaptureFixture[str]) -> None:
    usage = " ".join(usage_of("port", capsys).split())
    flags = ["--py{}{}-plus".format(*version) for version in TARGETS]
    assert TARGETS[0] == (3, 6) and TARGETS[-1] == (3, 16)
    assert f"[{' | '.join(flags)}]" in usage
    assert "--py{}{}-plus".format(*DEFAULT_TARGET) in flags


@needs_libcst
@pytest.mark.parametrize("version", TARGETS, ids=lambda v: "{}.{}".format(*v))
def test_port_accepts_every_target_in_its_usage(in_tmp: Path, version: "tuple[int, int]",
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "old.py").write_text(LEGACY)
    assert exits(["port", "--check", "--py{}{}-plus".format(*version), "old.py"]) == 1
    assert capsys.readouterr().err.startswith("would rewrite old.py\n")


def test_port_refuses_two_targets(capsys: pytest.CaptureFixture[str]) -> None:
    assert exits(["port", "--py38-plus", "--py310-plus", "x.py"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "legacy-coro port: error: argument --py310-plus: not allowed with argument "
        "--py38-plus")


# -------------------------------------------------- options that need others

@pytest.mark.parametrize("argv, message", [
    (["--timeout", "5", "--check", "x.py"], "--timeout only applies with --verify"),
    (["--python-b", "3.12", "x.py"], "--python-b only applies with --verify"),
])
def test_port_verify_options_without_verify(argv: List[str], message: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert exits(["port", *argv]) == 2
    assert capsys.readouterr().err == f"legacy-coro port: error: {message}\n"


@pytest.mark.parametrize("width", ["5", "39", "0", "-80", "1001"])
def test_compare_width_out_of_range(in_tmp: Path, width: str,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("a.py", "b.py"):
        (in_tmp / name).write_text("print('x')\n")
    assert exits(["compare", "--width", width, "a.py", "b.py"]) == 2
    assert capsys.readouterr() == ("", f"legacy-coro compare: error: --width {width}: give 40 "
                                       "to 1000 columns\n")


def test_compare_width_at_the_limits_draws_two_columns(in_tmp: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    for name in ("a.py", "b.py"):
        (in_tmp / name).write_text("print('x')\n")
    for width in (40, 1000):
        assert exits(["compare", "--width", str(width), "a.py", "b.py"]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert lines[2] == "-" * ((width - 3) // 2) + "   " + "-" * ((width - 3) // 2)


def test_compare_skip_rule_names_a_default_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert exits(["compare", "--skip-rule", "bogus", "a.py", "b.py"]) == 2
    last = capsys.readouterr().err.splitlines()[-1]
    # argparse quotes the choices on some versions and not on others
    assert last.startswith("legacy-coro compare: error: argument --skip-rule: invalid choice: "
                           "'bogus' (choose from ")
    assert all(name in last for name in ("script-path", "address", "time", "test-runner"))


# ------------------------------------------------------------------- help

@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)],
                         ids=["legacy-coro", *COMMANDS])
def test_help_fits_a_screen(command: List[str], monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert exits([*command, "--help"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) <= 40, len(lines)
    assert max(len(line) for line in lines) <= 80


@pytest.mark.parametrize("command", list(COMMANDS))
def test_help_is_wrapped_to_the_terminal(command: str, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    assert exits([command, "--help"]) == 0
    narrow = capsys.readouterr().out.splitlines()
    # an example command line may be longer; prose and options are not
    assert all(len(line) <= 60 for line in narrow if not line.startswith("  legacy-coro")), [
        line for line in narrow if len(line) > 60]
    monkeypatch.setenv("COLUMNS", "120")
    assert exits([command, "--help"]) == 0
    wide = capsys.readouterr().out.splitlines()
    assert len(wide) < len(narrow)


def test_port_help_lists_no_reason_but_points_to_them(capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    assert exits(["port", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--list-reasons" in out and "LC002" not in out


# ------------------------------------------- compare: test-runner timings

UNITTEST = """\
import time
import unittest


class T(unittest.TestCase):
    def test_slow(self):
        time.sleep({delay})

    def test_fast(self):
        self.assertEqual(1 + 1, 2)


if __name__ == "__main__":
    unittest.main()
"""

PYTEST = """\
import sys
import time

import pytest


def test_slow():
    time.sleep({delay})


def test_fast():
    assert 1 + 1 == 2


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-p", "no:cacheprovider", "-p", "no:randomly"]))
"""


@pytest.mark.parametrize("template", [UNITTEST, PYTEST], ids=["unittest", "pytest"])
def test_compare_of_two_test_modules_is_same(in_tmp: Path, template: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Their durations, pytest's rootdir and padding differ; by default that is no difference."""
    for side, delay in (("old", 0.05), ("new", 0.35)):
        (in_tmp / side).mkdir()
        (in_tmp / side / "test_mod.py").write_text(template.format(delay=delay))
    assert exits(["compare", "--diff", "old/test_mod.py", "new/test_mod.py"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith("same: ")
    assert exits(["compare", "--diff", "--skip-rule", "test-runner", "old/test_mod.py",
                  "new/test_mod.py"]) == 1
    diff = capsys.readouterr().out
    assert re.search(r"^-(\[stderr\] Ran 2 tests|=+ 2 passed) in \d+\.\d+s", diff, re.M), diff


def test_compare_of_test_modules_still_shows_a_failing_test(
        in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "old").mkdir()
    (in_tmp / "new").mkdir()
    (in_tmp / "old" / "test_mod.py").write_text(UNITTEST.format(delay=0))
    (in_tmp / "new" / "test_mod.py").write_text(
        UNITTEST.format(delay=0).replace("1 + 1, 2", "1 + 1, 3"))
    assert exits(["compare", "--diff", "old/test_mod.py", "new/test_mod.py"]) == 1
    assert "+[stderr] FAILED (failures=1)" in capsys.readouterr().out


# ------------------------------------------------------ the test set-up line

def _setup_lines() -> List[str]:
    lines = []
    for name in ("README.md", "CONTRIBUTING.md"):
        path = ROOT / name
        if path.exists():
            lines += [line[2:] for line in path.read_text(encoding="utf-8").splitlines()
                      if line.startswith("$ pyenv local ")]
    return lines


@pytest.mark.skipif(shutil.which("bash") is None, reason="the set-up line is a bash line")
def test_pyenv_line_leaves_the_newest_python_first(tmp_path: Path) -> None:
    """pyenv's `python3` in the checkout is the first version of .python-version."""
    lines = _setup_lines()
    if not lines:
        pytest.skip("README.md is not next to the tests (installed-package run)")
    installed = ["2.7.18", "3.6.15", "3.7.16", "3.8.18", "3.9.18", "3.10.13", "3.11.7",
                 "3.12.1", "3.13.0", "3.14.7", "3.15.0rc1+", "3.16.0a0+", "pypy3.9-7.3.16"]
    fake = tmp_path / "bin" / "pyenv"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\n"
                    'if [ "$1" = versions ]; then printf "%s\\n" ' + " ".join(installed) + "\n"
                    'elif [ "$1" = local ]; then shift; printf "%s\\n" "$@" > .python-version\n'
                    "fi\n")
    fake.chmod(0o755)
    env = dict(os.environ, PATH=f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    for line in lines:
        subprocess.run(["bash", "-c", line], cwd=str(tmp_path), env=env, check=True, timeout=30)
        chosen = (tmp_path / ".python-version").read_text().split()
        assert chosen == ["3.16.0a0+", "3.15.0rc1+", "3.14.7", "3.13.0", "3.12.1", "3.11.7",
                          "3.10.13", "3.9.18", "3.8.18"], line
