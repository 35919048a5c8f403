"""``legacy-coro port`` as a command: modes, exit statuses, reports, and the never-break guard."""

import io
import json
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("libcst")

import libcst as cst  # noqa: E402

from legacy_coro.port import _transform  # noqa: E402
from legacy_coro._main import main  # noqa: E402
from legacy_coro.port._reasons import REASONS  # noqa: E402

LEGACY = """\
import asyncio
from legacy_coro import coroutine


@coroutine
def fetch():
    yield from asyncio.sleep(0)  # wait
    return 1
"""
NATIVE = """\
import asyncio


async def fetch():
    await asyncio.sleep(0)  # wait
    return 1
"""
SUMMARY_ONE = "1 file changed, 1 function converted, 0 sites left with reasons\n"
VERSION = "{}.{}".format(*sys.version_info[:2])


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    path = tmp_path / "mod.py"
    path.write_text(LEGACY)
    return path


def test_rewrites_in_place(legacy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["port", str(legacy)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"Rewriting {legacy}\n" + SUMMARY_ONE
    assert legacy.read_text() == NATIVE


def test_second_run_changes_nothing(legacy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["port", str(legacy)])
    capsys.readouterr()
    assert main(["port", str(legacy)]) == 0
    assert capsys.readouterr().err == (
        "0 files changed, 0 functions converted, 0 sites left with reasons\n")
    assert legacy.read_text() == NATIVE


def test_diff_writes_nothing(legacy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["port", "--diff", str(legacy)]) == 1
    out, err = capsys.readouterr()
    assert out.startswith(f"--- a/{legacy}\n+++ b/{legacy}\n@@ ")
    assert "-from legacy_coro import coroutine\n" in out
    assert "-@coroutine\n" in out
    assert "+async def fetch():\n" in out
    assert "+    await asyncio.sleep(0)  # wait\n" in out
    assert err == "1 file would be changed, 1 function converted, 0 sites left with reasons\n"
    assert legacy.read_text() == LEGACY


def test_check(legacy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["port", "--check", str(legacy)]) == 1
    assert capsys.readouterr().err == (
        f"would rewrite {legacy}\n"
        "1 file would be changed, 1 function converted, 0 sites left with reasons\n")
    assert legacy.read_text() == LEGACY
    clean = tmp_path / "clean.py"
    clean.write_text(NATIVE)
    assert main(["port", "--check", str(clean)]) == 0


def test_directories_recursively_and_jobs(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    for sub in ("a", "b/c", ".hidden"):
        (tmp_path / sub).mkdir(parents=True)
        (tmp_path / sub / "m.py").write_text(LEGACY)
    (tmp_path / "b" / "notes.txt").write_text(LEGACY)
    assert main(["port", "--jobs", "2", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.endswith("2 files changed, 2 functions converted, 0 sites left with reasons\n")
    assert (tmp_path / "a" / "m.py").read_text() == NATIVE
    assert (tmp_path / "b" / "c" / "m.py").read_text() == NATIVE
    assert (tmp_path / ".hidden" / "m.py").read_text() == LEGACY
    assert (tmp_path / "b" / "notes.txt").read_text() == LEGACY


def test_sites_reported_with_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "m.py"
    path.write_text("import asyncio\n\n@asyncio.coroutine\ndef f():\n    return fut\n")
    assert main(["port", "--no-result-helper", str(path)]) == 1  # moved to legacy_coro
    err = capsys.readouterr().err
    assert f"{path}:4: LC001 {REASONS['LC001']} [f]\n" in err
    assert err.endswith("1 file changed, 0 functions converted, 1 site left with reasons\n")
    assert path.read_text() == (
        "from legacy_coro import coroutine\n\n@coroutine\ndef f():\n"
        "    return fut\n")


def test_result_helper_by_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "m.py"
    path.write_text("import asyncio\n\n@asyncio.coroutine\ndef f():\n    return fut\n")
    assert main(["port", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:4: LC018 {REASONS['LC018']} [f]\n" in err
    assert err.endswith("1 file changed, 1 function converted, 1 site left with reasons\n")
    ported = path.read_text()
    assert "\nclass _LegacyCoroResult:\n" in ported
    assert ported.endswith("\n\n\nasync def f():\n    return await _LegacyCoroResult(fut)\n")


def test_plain_generator_awaiting_converted_function_is_an_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.py").write_text(LEGACY)
    (tmp_path / "b.py").write_text(
        "from a import fetch\n\ndef old():\n    x = yield from fetch()\n"
        "\ndef gen():\n    yield from other()\n")
    assert main(["port", "--check", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    b = tmp_path / "b.py"
    assert f"{b}:4: LC004 {REASONS['LC004']} [fetch]\n" in err
    assert f"{b}:7: LC003 {REASONS['LC003']} [other]\n" in err
    assert err.endswith("1 file would be changed, 1 function converted, "
                        "2 sites left with reasons, 1 error\n")


def test_json(legacy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["port", "--json", "--check", str(legacy)]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    report = json.loads(out)
    assert report["files"] == [
        {"path": str(legacy), "changed": True, "written": False, "converted": 1, "error": None,
         "sites": [], "helpers_converted": []}]
    assert report["summary"]["files_changed"] == 1
    assert report["summary"]["functions_converted"] == 1
    assert report["exit_status"] == 1


@pytest.mark.parametrize("mode, written", [
    pytest.param([], True, id="plain"),
    pytest.param(["--check"], False, id="check"),
    pytest.param(["--verify"], True, id="verify"),
])
def test_json_writes_what_the_mode_writes(legacy: Path, mode: Any, written: bool,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """--json changes the report's format only: the same files are written, and it says so."""
    assert main(["port", *mode, str(legacy)]) == 1
    text_err = capsys.readouterr().err
    assert (f"Rewriting {legacy}\n" in text_err) is written
    assert (legacy.read_text() == NATIVE) is written
    legacy.write_text(LEGACY)
    assert main(["port", "--json", *mode, str(legacy)]) == 1
    out, err = capsys.readouterr()
    assert (legacy.read_text() == NATIVE) is written
    report = json.loads(out)
    assert report["files"][0]["written"] is written
    assert report["files"][0].get("verify") == ("same" if "--verify" in mode else None)
    assert report["summary"]["files_written"] == int(written)
    assert report["summary"]["text"] == text_err.splitlines()[-1]
    assert "Rewriting" not in err


def test_json_of_stdin_holds_the_port(monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """What the text mode writes to stdout, the JSON report carries as the file's output."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(LEGACY.encode())))
    assert main(["port", "--json", "-"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["files"][0]["path"] == "-"
    assert report["files"][0]["output"] == NATIVE
    assert report["files"][0]["written"] is False


def test_help_says_which_modes_write(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["port", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "Rewrite generator coroutines into async def / await in place" in out
    assert "--diff print a unified diff; never writes" in out
    assert "--check never writes; exit 1 if a file would change" in out
    assert ("--verify run the original (under the compat layer) and the port in copies of the "
            "tree; write only what verified") in out
    assert "--json print the report as JSON; writes what its mode writes" in out


def test_stdin_to_stdout(monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(LEGACY.encode())))
    assert main(["port", "-"]) == 1
    out, err = capsys.readouterr()
    assert out == NATIVE
    assert err == SUMMARY_ONE


def test_crlf_and_asyncio_async(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(b"import asyncio\r\n\r\n@asyncio.coroutine\r\ndef f():\r\n"
                     b"    yield from g()\r\n\r\nasyncio.async(f())\r\n")
    assert main(["port", str(path)]) == 1
    assert path.read_bytes() == (b"import asyncio\r\n\r\nasync def f():\r\n    await g()\r\n"
                                 b"\r\nasyncio.ensure_future(f())\r\n")


def test_unparseable_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Python's own message and line (LibCST's parser says line 4 here)."""
    path = tmp_path / "bad.py"
    path.write_text("import asyncio\n@asyncio.coroutine\ndef f(:\n    yield from x\n")
    assert main(["port", str(path)]) == 2
    err = capsys.readouterr().err
    version = "{}.{}".format(*sys.version_info[:2])
    assert err.startswith(f"{path}: cannot parse on Python {version}: ")
    assert " (line 3)\n" in err
    assert err.endswith("0 files changed, 0 functions converted, 0 sites left with reasons, "
                        "1 file not ported\n")


@pytest.mark.parametrize("text", [
    "def f(:\n    yield from x\n",  # no parser reads it; nothing in it needs asyncio
    "print 'Python 2'\nloop = 0\n",
    "TOPICS = " + "{" * 150 + "'yield from': 1" + "}" * 150 + "\n",  # deeper than LibCST goes
])
def test_a_file_with_nothing_to_port_is_never_an_error(
        tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "data.py"
    path.write_text(text)
    assert main(["port", str(path)]) == 0
    assert capsys.readouterr().err == (
        "0 files changed, 0 functions converted, 0 sites left with reasons\n")
    assert path.read_text() == text


def test_text_libcst_cannot_reproduce_is_left(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """LibCST drops the space in `except OSError :` (its issue 1457): the file is not ported."""
    path = tmp_path / "spaced.py"
    text = LEGACY + "    try:\n        yield from g()\n    except OSError :\n        pass\n"
    path.write_text(text)
    if cst.parse_module(text).code == text:
        pytest.skip("this LibCST keeps the space (issue 1457 fixed)")
    assert main(["port", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        f"{path}: LibCST does not reproduce line 11 exactly ('except OSError :' would become "
        "'except OSError:'), so the file is left as it is; reformat that line")
    assert path.read_text() == text


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["port", str(tmp_path / "nope.py")]) == 2
    assert capsys.readouterr().err == (
        f"legacy-coro port: error: {tmp_path / 'nope.py'}: no such file or directory\n")


def test_broken_output_is_never_written(legacy: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """A transformer bug (here: `async` forgotten) leaves the file as it was, exit 3."""
    original = _transform.Transformer.on_leave

    def forgetful(self: Any, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        result = original(self, original_node, updated_node)
        if isinstance(result, cst.FunctionDef):
            return result.with_changes(asynchronous=None)
        return result

    monkeypatch.setattr(_transform.Transformer, "on_leave", forgetful)
    assert main(["port", str(legacy)]) == 3
    err = capsys.readouterr().err
    assert err.startswith(f"{legacy}: internal error: the ported code does not compile: ")
    assert legacy.read_text() == LEGACY


def test_list_reasons(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["port", "--list-reasons"]) == 0
    out = capsys.readouterr().out
    assert out == "".join(f"{code} {text}\n" for code, text in REASONS.items())


def test_help_points_to_list_reasons(capsys: pytest.CaptureFixture[str]) -> None:
    """The reasons are behind --list-reasons, so that --help fits a screen."""
    with pytest.raises(SystemExit) as exc:
        main(["port", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "--list-reasons" in out
    assert not any(f"{code} {REASONS[code][:20]}" in out for code in REASONS)


@pytest.mark.parametrize("argv", [["port"], ["port", "--json", "--diff", "x.py"],
                                  ["port", "--jobs", "-1", "x.py"]])
def test_usage_errors(argv: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith("legacy-coro port: error: ")


@pytest.mark.parametrize("argv, message", [
    (["--jobs", "-1", "x.py"], "--jobs -1: give 0 (one per CPU) or more"),
    (["--verify", "--timeout", "-1", "x.py"], "--timeout -1: give a positive number of seconds"),
    (["--timeout", "0", "x.py"], "--timeout 0: give a positive number of seconds"),
    (["--verify", "-"], "--verify runs each file as a script, so it cannot verify stdin ('-'); "
                        "port a file instead"),
    (["--verify", "a.py", "-"], "--verify runs each file as a script, so it cannot verify "
                                "stdin ('-'); port a file instead"),
    (["--python-a", "3.6", "x.py"], "--python-a only applies with --verify"),
    (["--no-compat-a", "x.py"], "--compat-a/--no-compat-a only applies with --verify"),
])
def test_option_errors_say_what_to_do(argv: Any, message: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """The same --jobs / --timeout rules as compare, and no silent skip of --verify."""
    assert main(["port", *argv]) == 2
    assert capsys.readouterr().err == f"legacy-coro port: error: {message}\n"


def test_without_libcst(legacy: Path, monkeypatch: pytest.MonkeyPatch,
                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "libcst", None)
    assert main(["port", str(legacy)]) == 2
    assert capsys.readouterr().err == (
        f"legacy-coro port needs LibCST: {shlex.quote(sys.executable)} -m pip install libcst\n")
    assert legacy.read_text() == LEGACY


def test_verify_refuses_a_port_that_prints_differently(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "s.py"
    script.write_text(LEGACY + "\nprint(open(__file__).read().count('yield'))\n")
    assert main(["port", "--verify", str(script)]) == 1
    err = capsys.readouterr().err
    assert f"{script}: verify: different, the original under legacy-coro run and the port on " \
        f"Python {VERSION}\n" in err
    assert "--- original\n+++ ported\n@@ -1 +1 @@\n-2\n+1\n" in err
    assert err.endswith("0 files changed, 1 function converted, 0 sites left with reasons, "
                        "1 file failed verification (not written)\n")
    assert "Rewriting" not in err
    assert script.read_text().startswith(LEGACY)  # not written


#: Old code that needs the compat layer on every Python the suite runs on (3.8+):
#: `with (yield from lock)` (gone in 3.9), `loop=` (3.10), `@asyncio.coroutine` (3.11).
OLD_SCRIPT = """\
import asyncio


@asyncio.coroutine
def tick(loop):
    lock = asyncio.Lock()
    with (yield from lock):
        yield from asyncio.sleep(0, loop=loop)
    return "ticked"


loop = asyncio.new_event_loop()
print(loop.run_until_complete(tick(loop)))
loop.close()
"""


def test_verify_runs_the_original_under_the_layer(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "old.py"
    script.write_text(OLD_SCRIPT)
    assert main(["port", "--verify", str(script)]) == 1
    err = capsys.readouterr().err
    assert err == (f"{script}: verify: same transcript, the original under legacy-coro run and "
                   f"the port on Python {VERSION}\n"
                   f"Rewriting {script}\n"
                   "1 file changed, 1 function converted, 0 sites left with reasons\n")
    assert "async def tick(loop):" in script.read_text()


def test_verify_says_when_the_original_does_not_run(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "old.py"
    script.write_text(LEGACY + "\nraise RuntimeError('the original stops here')\n")
    assert main(["port", "--verify", str(script)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{script}: verify: the original does not run (exit 1: RuntimeError: the original stops "
        f"here), the original under legacy-coro run and the port on Python {VERSION}; nothing "
        "to compare the port with",
        "0 files changed, 1 function converted, 0 sites left with reasons, 1 file not verified: "
        "the original does not run (not written)",
    ]
    assert script.read_text().startswith(LEGACY)


def test_verify_without_the_layer_on_old_code(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """--no-compat-a: the original runs plainly, which old code survives only on 3.8
    (with DeprecationWarnings, a difference)."""
    script = tmp_path / "old.py"
    script.write_text(OLD_SCRIPT)
    status = main(["port", "--verify", "--no-compat-a", str(script)])
    err = capsys.readouterr().err.splitlines()
    if sys.version_info < (3, 9):
        assert status == 1
        assert err[0] == f"{script}: verify: different, on Python {VERSION}"
        assert any(line.startswith("-[stderr] <script>:<line>: DeprecationWarning: ")
                   for line in err)
        return
    assert status == 2
    why = ("AttributeError: module 'asyncio' has no attribute 'coroutine'"
           if sys.version_info >= (3, 11) else "TypeError: 'Lock' object is not iterable")
    assert err[0].startswith(f"{script}: verify: the original does not run (exit 1: {why}")
    assert err[0].endswith(f"), on Python {VERSION}; nothing to compare the port with")
    assert "failed verification" not in "\n".join(err)
    assert script.read_text() == OLD_SCRIPT


def test_verify_says_when_the_port_fails(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "s.py"
    script.write_text(LEGACY + "\nprint(fetch.__wrapped__.__name__)\n")
    assert main(["port", "--verify", str(script)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        f"{script}: verify: the port failed (exit 1: AttributeError: 'function' object has no "
        "attribute '__wrapped__'), the original under legacy-coro run and the port on Python")
    assert "\n-fetch\n" in err
    assert err.endswith("1 file failed verification (not written)\n")


def test_verify_on_another_python_for_the_original(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """--python-a runs the original as it is (no layer unless --compat-a)."""
    import os
    import stat

    other = tmp_path / "bin" / "python-other"
    other.parent.mkdir()
    other.write_text("#!/bin/sh\n"
                     f'if [ "$1" = "-c" ]; then echo {VERSION}; exit 0; fi\n'
                     f'exec "{sys.executable}" "$@"\n')
    other.chmod(other.stat().st_mode | stat.S_IXUSR)
    script = tmp_path / "s.py"
    script.write_text(LEGACY + "\nimport sys\nprint('legacy_coro._runner' in sys.modules)\n")
    if os.name == "nt":
        pytest.skip("a shell-script stand-in for an interpreter")
    assert main(["port", "--verify", "--python-a", str(other), str(script)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{script}: verify: same transcript, the original on Python {VERSION}, "
                          f"the port on {VERSION}\n")
    script.write_text(LEGACY + "\nimport sys\nprint('legacy_coro._runner' in sys.modules)\n")
    assert main(["port", "--verify", "--python-a", str(other), "--compat-a", str(script)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{script}: verify: different, the original under legacy-coro run on "
                          f"Python {VERSION}, the port on {VERSION}\n")


def test_codemod_for_libcst_runner() -> None:
    from libcst.codemod import CodemodContext, TransformSuccess, transform_module

    from legacy_coro.codemod import PortToAsync

    result = transform_module(PortToAsync(CodemodContext()), LEGACY)
    assert isinstance(result, TransformSuccess)
    assert result.code == NATIVE
    refused = transform_module(PortToAsync(CodemodContext()),
                               "import asyncio\n@asyncio.coroutine\ndef f():\n    return x\n")
    assert isinstance(refused, TransformSuccess)
    assert refused.warning_messages == [f"line 3: LC018 {REASONS['LC018']} [f]"]
    assert "return await _LegacyCoroResult(x)" in refused.code


def test_importing_the_package_does_not_import_libcst() -> None:
    import subprocess

    code = ("import sys, legacy_coro, legacy_coro._main, legacy_coro._cmd_port; "
            "legacy_coro._main._build_parser(); print('libcst' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "False\n"


def test_a_crash_in_the_transformer_leaves_the_file(tmp_path: Path, legacy: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other.py"
    other.write_text("x = 1\n")

    original = _transform.Transformer.on_leave

    def crash(self: Any, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        if isinstance(original_node, cst.Yield):
            raise ValueError("boom")
        return original(self, original_node, updated_node)

    monkeypatch.setattr(_transform.Transformer, "on_leave", crash)
    assert main(["port", str(legacy), str(other)]) == 3
    err = capsys.readouterr().err
    assert f"{legacy}: internal error: ValueError: boom\n" in err
    assert legacy.read_text() == LEGACY
