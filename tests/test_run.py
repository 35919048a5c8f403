"""``legacy-coro run``: the program runs as ``python script.py`` would, plus the compat layer."""

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

from legacy_coro._main import main
from legacy_coro._versions import change


def _write(path, source):
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def _run(args, cwd, stdin=None, env=None):
    return subprocess.run(
        [sys.executable, *args], cwd=str(cwd), input=stdin, capture_output=True, text=True,
        timeout=60, env=env,
    )


def _both(script_args, cwd, stdin=None):
    """Run with plain python and with legacy-coro run; return both results."""
    plain = _run(script_args, cwd, stdin)
    legacy = _run(["-m", "legacy_coro", "run", *script_args], cwd, stdin)
    return plain, legacy


def test_argv_exit_code_stdin_and_main_module_are_pythons(tmp_path):
    _write(tmp_path / "prog.py", '''
        import sys
        print(sys.argv)
        print(__name__, __file__, sys.path[0] == __import__("os").path.dirname(
            __import__("os").path.realpath(__file__)))
        print(input())
        print(sys.modules["__main__"].__dict__ is globals())
        sys.exit(3)
    ''')
    plain, legacy = _both(["prog.py", "a", "--report", "-m", "--"], tmp_path, stdin="typed\n")
    assert legacy.returncode == plain.returncode == 3
    assert legacy.stdout == plain.stdout
    assert "['prog.py', 'a', '--report', '-m', '--']" in legacy.stdout
    assert legacy.stderr == plain.stderr == ""


@pytest.mark.parametrize("exit_with, code", [("None", 0), ("0", 0), ("'bye'", 1), ("7", 7)])
def test_sys_exit_values(tmp_path, exit_with, code):
    _write(tmp_path / "prog.py", f"import sys\nsys.exit({exit_with})\n")
    plain, legacy = _both(["prog.py"], tmp_path)
    assert legacy.returncode == plain.returncode == code
    assert legacy.stderr == plain.stderr


def test_traceback_has_no_runner_frames(tmp_path):
    _write(tmp_path / "prog.py", '''
        def inner():
            raise ValueError("from the program")

        try:
            inner()
        except ValueError as exc:
            raise KeyError("chained") from exc
    ''')
    plain, legacy = _both(["prog.py"], tmp_path)
    assert legacy.returncode == plain.returncode == 1
    assert legacy.stderr == plain.stderr
    # by the files the frames name, not by words a temporary directory's path may hold
    shown = re.findall(r'^  File "([^"]*)"', legacy.stderr, re.MULTILINE)
    assert shown and all(os.path.basename(name) == "prog.py" for name in shown), legacy.stderr


def test_uncaught_exception_goes_through_the_programs_excepthook(tmp_path):
    _write(tmp_path / "prog.py", '''
        import sys
        def hook(kind, value, tb):
            print("hooked", kind.__name__, value, tb.tb_frame.f_code.co_name)
        sys.excepthook = hook
        raise RuntimeError("x")
    ''')
    plain, legacy = _both(["prog.py"], tmp_path)
    assert legacy.stdout == plain.stdout == "hooked RuntimeError x <module>\n"
    assert legacy.returncode == plain.returncode == 1


def test_missing_script(tmp_path):
    legacy = _run(["-m", "legacy_coro", "run", "nope.py"], tmp_path)
    assert legacy.returncode == 2
    assert legacy.stderr == (
        f"legacy-coro run: can't open file {str(tmp_path / 'nope.py')!r}: "
        "[Errno 2] No such file or directory\n"
    )


def test_keyboard_interrupt_exits_130(tmp_path):
    _write(tmp_path / "prog.py", "raise KeyboardInterrupt\n")
    plain, legacy = _both(["prog.py"], tmp_path)
    assert legacy.returncode == 130
    assert legacy.stderr == plain.stderr


def test_run_module(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    _write(package / "__init__.py", "")
    _write(package / "tool.py", '''
        import sys
        print(sys.argv[1:], __name__, sys.argv[0].endswith("tool.py"))
    ''')
    plain, legacy = _both(["-m", "pkg.tool", "x", "-m"], tmp_path)
    assert legacy.stdout == plain.stdout == "['x', '-m'] __main__ True\n"
    assert legacy.returncode == plain.returncode == 0


OLD_PROGRAM = '''
    import asyncio

    @asyncio.coroutine
    def tick(loop):
        for _ in range(3):
            yield from asyncio.sleep(0, loop=loop)
        done, _ = yield from asyncio.wait([asyncio.sleep(0)])
        return len(done)

    loop = asyncio.get_event_loop()
    print(loop.run_until_complete(tick(loop)))
    loop.close()
'''


def _expected_rows():
    rows = [
        ("old.py:4", "@asyncio.coroutine", 1, "asyncio.coroutine"),
        ("old.py:7", "asyncio.sleep(loop=)", 3, "loop-argument"),
        ("old.py:8", "asyncio.wait(coroutines)", 1, "wait-coroutines"),
        ("old.py:11", "asyncio.get_event_loop() with no loop", 1, "get_event_loop-warns"),
    ]
    return [row for row in rows if change(row[3]).applies]


def test_report_table_on_stderr(tmp_path):
    _write(tmp_path / "old.py", OLD_PROGRAM)
    result = _run(["-m", "legacy_coro", "run", "--report", "old.py"], tmp_path)
    assert result.stdout == "1\n"
    assert result.returncode == 0
    lines = result.stderr.splitlines()
    rows = _expected_rows()
    version = ".".join(map(str, sys.version_info[:3]))
    if not rows:
        assert lines == [f"legacy-coro porting report (Python {version}): "
                         "no restored behaviour was used"]
        return
    assert lines[0].startswith(f"legacy-coro porting report (Python {version}): ")
    assert lines[1].split() == ["where", "uses", "count", "removed", "in"]
    body = [line.split("  ") for line in lines[3:]]
    got = [[cell.strip() for cell in row if cell.strip()] for row in body]
    assert got == [[w, api, str(n), change(key).label] for w, api, n, key in rows]


def test_report_json_from_the_environment(tmp_path):
    _write(tmp_path / "old.py", OLD_PROGRAM)
    env = dict(os.environ, LEGACY_CORO_REPORT=str(tmp_path / "report.json"))
    result = _run(["-m", "legacy_coro", "run", "old.py"], tmp_path, env=env)
    assert result.stderr == ""
    assert result.stdout == "1\n"
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["python"] == ".".join(map(str, sys.version_info[:3]))
    got = [
        (f"{os.path.basename(u['file'])}:{u['line']}", u["api"], u["count"], u["change"])
        for u in report["uses"]
    ]
    assert got == _expected_rows()
    assert all(u["removed_in"] == change(u["change"]).label for u in report["uses"])
    assert all(os.path.isabs(u["file"]) or sys.version_info < (3, 9) for u in report["uses"])


def test_without_report_nothing_is_recorded(tmp_path):
    _write(tmp_path / "old.py", OLD_PROGRAM)
    result = _run(["-m", "legacy_coro", "run", "old.py"], tmp_path)
    assert (result.stdout, result.stderr, result.returncode) == ("1\n", "", 0)


def test_main_in_process(tmp_path, capsys):
    script = _write(tmp_path / "prog.py", "import asyncio, sys\nprint(sys.argv[1:])\n")
    import legacy_coro

    assert main(["run", str(script), "one", "two"]) == 0
    assert capsys.readouterr().out == "['one', 'two']\n"
    assert legacy_coro.installed() == frozenset()  # the runner uninstalled on the way out
