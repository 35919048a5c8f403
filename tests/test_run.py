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


# -------------------------------------------------- the forms of `python PROGRAM`

def test_usage_names_every_form_and_no_program_is_a_one_line_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "usage: legacy-coro run [options] (SCRIPT | DIR | - | -m MODULE) [ARGS ...]\n")
    assert "TARGET" not in out
    assert main(["run"]) == 2
    assert capsys.readouterr().err == (
        "legacy-coro run: error: give the program to run: a script, a directory, - for stdin, "
        "or -m MODULE\n")


STDIN_PROGRAM = '''\
import sys
print(sys.argv, repr(sys.path[0]), __file__, __name__)
print(sys.stdin.read() == "")  # python - has read it all
raise ValueError("from stdin")
'''


def test_program_from_stdin(tmp_path):
    plain, legacy = _both(["-", "one", "-m"], tmp_path, stdin=STDIN_PROGRAM)
    assert legacy.stdout == plain.stdout == "['-', 'one', '-m'] '' <stdin> __main__\nTrue\n"
    assert legacy.stderr == plain.stderr
    assert plain.stderr.splitlines()[-2:] == ['  File "<stdin>", line 4, in <module>',
                                             "ValueError: from stdin"]
    assert legacy.returncode == plain.returncode == 1


def test_old_program_from_stdin_runs_under_the_layer(tmp_path):
    legacy = _run(["-m", "legacy_coro", "run", "-"], tmp_path, stdin=textwrap.dedent(OLD_PROGRAM))
    assert (legacy.stdout, legacy.stderr, legacy.returncode) == ("1\n", "", 0)


def test_directory_with_main_module(tmp_path):
    (tmp_path / "app").mkdir()
    _write(tmp_path / "app" / "__main__.py", '''
        import os, sys
        print(sys.argv, sys.path[0] == os.path.abspath("app") or sys.path[0], __name__)
        print(os.path.relpath(__file__), os.path.realpath(sys.path[1]) != os.getcwd())
        print(sys.modules["__main__"].__dict__ is globals(), __spec__.name, __package__ == "")
    ''')
    plain, legacy = _both(["app", "x"], tmp_path)
    assert legacy.stdout == plain.stdout
    expected_path0 = "True" if sys.version_info >= (3, 9) else "app"  # 3.8 kept it as typed
    assert plain.stdout == (f"['app', 'x'] {expected_path0} __main__\n"
                            f"{os.path.join('app', '__main__.py')} True\n"
                            "True __main__ True\n")
    assert legacy.stderr == plain.stderr == ""
    assert legacy.returncode == plain.returncode == 0


def test_old_program_in_a_directory_or_zip_runs_under_the_layer(tmp_path):
    import zipfile

    (tmp_path / "app").mkdir()
    _write(tmp_path / "app" / "__main__.py", OLD_PROGRAM)
    with zipfile.ZipFile(str(tmp_path / "app.zip"), "w") as archive:
        archive.write(str(tmp_path / "app" / "__main__.py"), "__main__.py")
    for program in ("app", "app.zip"):
        legacy = _run(["-m", "legacy_coro", "run", program], tmp_path)
        assert (legacy.stdout, legacy.stderr, legacy.returncode) == ("1\n", "", 0), program


def test_directory_without_main_module(tmp_path):
    (tmp_path / "empty").mkdir()
    plain, legacy = _both(["empty"], tmp_path)
    shown = str(tmp_path / "empty") if sys.version_info >= (3, 9) else "empty"
    message = f": can't find '__main__' module in {shown!r}\n"
    assert plain.stderr.endswith(message)
    assert legacy.stderr == "legacy-coro run" + message
    assert legacy.returncode == plain.returncode == 1


@pytest.mark.parametrize("source", [
    b'print("caf\xe9")\n',                        # the bad byte on line 1
    b'x = 1\ny = 2\nprint("caf\xe9", x, y)\n',    # on line 3
    b"# -*- coding: klingon -*-\nprint(1)\n",    # an unknown declared encoding
    b"# coding: ascii\nprint('\xc3\xa9')\n",      # text not in the declared encoding
    b"# coding: latin-1\nprint('caf\xe9')\n",     # declared and right: runs
], ids=["line-1", "line-3", "unknown-encoding", "wrong-encoding", "latin-1"])
def test_undecodable_source_gets_the_interpreters_syntax_error(tmp_path, source):
    (tmp_path / "prog.py").write_bytes(source)
    plain, legacy = _both(["prog.py"], tmp_path)
    expected = plain.stderr
    if sys.version_info[:2] == (3, 10) and "Non-UTF-8" in expected:
        # 3.10's interpreter names the line after the one with the byte
        line = source[:source.index(b"\xe9")].count(b"\n") + 1
        expected = expected.replace(f"on line {line + 1},", f"on line {line},")
    got = legacy.stderr
    if sys.version_info >= (3, 14):
        # 3.14's interpreter counts the byte's position from a point of its own in the file
        # (compile() counts from the start): the position is all that may differ
        import re

        got, expected = (re.sub(r"in position \d+:", "in position N:", text)
                         for text in (got, expected))
    assert got == expected
    assert "Traceback" not in legacy.stderr and "codecs" not in legacy.stderr
    assert (legacy.stdout, legacy.returncode) == (plain.stdout, plain.returncode)


def test_report_path_that_cannot_be_written_is_refused_before_the_program_runs(tmp_path):
    _write(tmp_path / "app.py", "open('ran', 'w').close()\n")
    target = tmp_path / "no" / "such" / "dir" / "r.json"
    env = dict(os.environ, LEGACY_CORO_REPORT=str(target))
    result = _run(["-m", "legacy_coro", "run", "app.py"], tmp_path, env=env)
    assert result.returncode == 2
    assert result.stderr == (
        f"legacy-coro run: error: cannot write the porting report to {str(target)!r} "
        "(LEGACY_CORO_REPORT): No such file or directory; set LEGACY_CORO_REPORT to a writable "
        "file, or unset it\n")
    assert not (tmp_path / "ran").exists()
    assert not target.parent.exists()


def test_report_that_cannot_be_written_at_exit_keeps_the_programs_exit_code(tmp_path):
    (tmp_path / "reports").mkdir()
    _write(tmp_path / "app.py", '''
        import os, sys
        os.rmdir(os.path.dirname(os.environ["LEGACY_CORO_REPORT"]))
        print("done")
        sys.exit(3)
    ''')
    target = tmp_path / "reports" / "r.json"
    env = dict(os.environ, LEGACY_CORO_REPORT=str(target))
    result = _run(["-m", "legacy_coro", "run", "app.py"], tmp_path, env=env)
    assert (result.stdout, result.returncode) == ("done\n", 3)
    assert result.stderr == (f"legacy-coro run: warning: could not write the porting report to "
                             f"{str(target)!r}: No such file or directory\n")


def test_report_file_checked_in_advance_is_left_as_it_was(tmp_path):
    """The check creates nothing it does not keep: no file when the program fails to start."""
    target = tmp_path / "r.json"
    env = dict(os.environ, LEGACY_CORO_REPORT=str(target))
    result = _run(["-m", "legacy_coro", "run", "nope.py"], tmp_path, env=env)
    assert result.returncode == 2 and "can't open file" in result.stderr
    assert not target.exists()


# -------------------------------------------------- errors read as python's

BROKEN = "def f():\n    yield from g()\nvalue = (\n"


@pytest.mark.parametrize("case", ["script", "imported", "imported-by-a-module", "run-m"])
def test_a_syntax_error_reads_as_pythons(tmp_path, case):
    """Under the layer, old code is compiled by legacy_coro; its errors show none of it."""
    _write(tmp_path / "broken.py", BROKEN)
    _write(tmp_path / "middle.py", "import broken\n")
    _write(tmp_path / "main.py", "print('before')\nimport middle\n"
           if case == "imported-by-a-module" else "print('before')\nimport broken\n")
    args = {"script": ["broken.py"], "imported": ["main.py"],
            "imported-by-a-module": ["main.py"], "run-m": ["-m", "main"]}[case]
    plain, legacy = _both(args, tmp_path)
    assert (legacy.stdout, legacy.returncode) == (plain.stdout, plain.returncode)
    assert plain.returncode == 1 and "SyntaxError" in plain.stderr
    if case == "run-m":  # python -m shows runpy's frames; the layer shows the program's
        assert legacy.stderr == plain.stderr.replace(
            plain.stderr[:plain.stderr.index('  File "' + str(tmp_path / "main.py"))],
            "Traceback (most recent call last):\n")
    elif sys.version_info < (3, 10) and case == "script":
        # 3.8's and 3.9's own parser put the unexpected end of a script one line further
        # when reading the file (compile() of its text, the layer's way, does not)
        assert legacy.stderr.splitlines()[-1] == plain.stderr.splitlines()[-1]
    else:
        assert legacy.stderr == plain.stderr
    assert "legacy_coro" not in legacy.stderr and "ast.py" not in legacy.stderr


@pytest.mark.parametrize("data", [b"print(1)\n\0print(2)\nprint(3)\n",
                                  b"print(1)\nx = 2\0print(2)\nprint(x)\n"])
@pytest.mark.parametrize("imported", [False, True], ids=["script", "imported"])
@pytest.mark.skipif(sys.implementation.name == "pypy", reason="PyPy reads a NUL byte its own "
                    "way, and shows the import system's frames (and the layer's) above it")
def test_a_nul_byte_does_what_python_does(tmp_path, data, imported):
    """3.8-3.10 cut a script's line at a NUL byte, 3.11+ refuse it; an import fails."""
    (tmp_path / "nul.py").write_bytes(data)
    _write(tmp_path / "main.py", "import nul\n")
    plain, legacy = _both(["main.py" if imported else "nul.py"], tmp_path)
    assert (legacy.stdout, legacy.stderr, legacy.returncode) == (
        plain.stdout, plain.stderr, plain.returncode)


def test_an_undecodable_imported_module_reads_as_pythons(tmp_path):
    (tmp_path / "latin.py").write_bytes(b"x = '\xe9'\ndef f():\n    yield from g()\n")
    _write(tmp_path / "main.py", "import latin\n")
    plain, legacy = _both(["main.py"], tmp_path)
    assert plain.returncode == 1 and "SyntaxError" in plain.stderr
    assert (legacy.stderr, legacy.returncode) == (plain.stderr, plain.returncode)


def test_an_error_while_an_imported_module_runs_shows_no_layer_frame(tmp_path):
    _write(tmp_path / "helper.py", '''
        import asyncio

        @asyncio.coroutine
        def unused():
            yield from asyncio.sleep(0)

        1 / 0
    ''')
    _write(tmp_path / "main.py", "import helper\n")
    plain, legacy = _both(["main.py"], tmp_path)
    shown = re.findall(r'^  File "([^"]*)"', legacy.stderr, re.MULTILINE)
    assert [os.path.basename(name) for name in shown] == ["main.py", "helper.py"], legacy.stderr
    assert legacy.stderr.splitlines()[-1] == "ZeroDivisionError: division by zero"
    if not change("asyncio.coroutine").applies:  # there plain python runs it too
        assert legacy.stderr == plain.stderr


def test_the_opt_out_is_honoured_for_the_script_run(tmp_path):
    _write(tmp_path / "prog.py", '''
        """LEGACY_CORO_DONT_REWRITE: compiled as python compiles it."""
        print(dict(async=True))
    ''')
    plain, legacy = _both(["prog.py"], tmp_path)
    assert plain.returncode == legacy.returncode == 1
    assert legacy.stderr == plain.stderr


# -------------------------------------------------- the recursion depth python gives

CHAIN = '''
    import asyncio, sys

    def my_coroutine(func):  # a decorator the layer cannot know
        return asyncio.coroutine(func)

    @my_coroutine
    def decorated(n):
        if n == 0:
            yield from asyncio.sleep(0)
            return 0
        return (yield from decorated(n - 1)) + 1

    def plain(n):  # undecorated generators, driven by a task
        if n == 0:
            yield from asyncio.sleep(0)
            return 0
        return (yield from plain(n - 1)) + 1

    loop = asyncio.new_event_loop()
    print(loop.run_until_complete(decorated(int(sys.argv[1]))))
    print(loop.run_until_complete(asyncio.ensure_future(plain(int(sys.argv[1])), loop=loop)))
    print(sys.getrecursionlimit())
'''


@pytest.mark.parametrize("how", ["script", "module"])
def test_a_chain_990_deep_runs_as_on_310(tmp_path, how):
    """3.10 ran such chains to about 990 deep; the runner's own frames do not count."""
    _write(tmp_path / "chain.py", CHAIN)
    # python -m runs the module under runpy's two frames (and, to 3.11, its exec() counts
    # too): 987 deep there, as python -m gives a chain of @asyncio.coroutine on 3.10
    depth = "990" if how == "script" else "987"
    args = ["chain.py", depth] if how == "script" else ["-m", "chain", depth]
    result = _run(["-m", "legacy_coro", "run", *args], tmp_path)
    assert (result.stdout, result.stderr, result.returncode) == (
        f"{depth}\n{depth}\n1000\n", "", 0)
    deeper = _run(["-m", "legacy_coro", "run", *args[:-1], "2000"], tmp_path)
    assert deeper.returncode == 1 and "RecursionError" in deeper.stderr  # the limit holds


@pytest.mark.skipif(sys.implementation.name == "pypy", reason="PyPy counts its recursion "
                    "depth otherwise; the runner's frames are not given back there")
def test_the_program_sees_pythons_recursion_limit_and_depth(tmp_path):
    _write(tmp_path / "depth.py", '''
        import sys
        def dive(n):
            try:
                return dive(n + 1)
            except RecursionError:
                return n
        sys.setrecursionlimit(500)
        print(sys.getrecursionlimit(), dive(0))
    ''')
    plain, legacy = _both(["depth.py"], tmp_path)
    assert (legacy.stdout, legacy.stderr) == (plain.stdout, plain.stderr)
    assert plain.stdout.startswith("500 ")
