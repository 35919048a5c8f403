"""Run a script or module as ``__main__`` with the compat layer installed.

Behaves as ``python script.py args`` / ``python -m module args`` would: the
same ``sys.argv``, ``sys.path[0]``, ``__file__``, exit code and stdin/stdout;
an uncaught exception goes to ``sys.excepthook`` with a traceback that starts
at the user's code (the runner's and runpy's frames are cut off).
"""

import os
import runpy
import sys
import tokenize
import types
from typing import List, Optional, Sequence

from legacy_coro import _install
from legacy_coro._report import Recorder, render_json, render_table

__all__ = ["run"]

_OWN_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_RUNPY = os.path.abspath(runpy.__file__)


def _ours(tb: types.TracebackType) -> bool:
    filename = os.path.abspath(tb.tb_frame.f_code.co_filename)
    return (
        filename.startswith(_OWN_DIR) or filename == _RUNPY or "<frozen runpy" in filename
    )


def _trim(exc: Optional[BaseException]) -> None:
    """Drop the leading runner/runpy frames from *exc*'s traceback and its chain."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        tb = exc.__traceback__
        while tb is not None and _ours(tb):
            tb = tb.tb_next
        exc.__traceback__ = tb
        exc = exc.__cause__ or exc.__context__


def _exit_code(exc: SystemExit) -> int:
    """Return what the interpreter would exit with for *exc* (printing a message)."""
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _run_script(path: str) -> None:
    """Execute the file at *path* as the ``__main__`` module."""
    if not os.path.isfile(path):  # a directory or zip with __main__.py
        runpy.run_path(path, run_name="__main__")
        return
    # 3.9+ gives __main__ an absolute __file__; 3.8 kept the path as typed.
    filename = os.path.abspath(path) if sys.version_info >= (3, 9) else path
    with tokenize.open(path) as source_file:
        source = source_file.read()
    if "plain-generator-await" in _install.installed():
        from legacy_coro._rewrite import compile_source

        code = compile_source(source, filename)
    else:
        code = compile(source, filename, "exec", dont_inherit=True)
    main = types.ModuleType("__main__")
    main.__dict__.update(
        __file__=filename, __builtins__=__builtins__, __cached__=None, __loader__=None,
        __spec__=None, __package__=None,
    )
    saved_main = sys.modules.get("__main__")
    sys.modules["__main__"] = main
    try:
        exec(code, main.__dict__)
    finally:
        if saved_main is not None:
            sys.modules["__main__"] = saved_main


def run(target: str, args: List[str], *, module: bool = False, report: Optional[str] = None,
        restore: Sequence[str] = ()) -> int:
    """Install the compat layer and run *target* as ``__main__``; return the exit code.

    Args:
        target: a script path, or a module name when *module* is true.
        args: the script's own arguments (``sys.argv[1:]``).
        module: run *target* as ``python -m`` would.
        report: None for no porting report, ``"-"`` for a table on stderr at
            exit, otherwise a file to write the report to as JSON.
        restore: opt-in behaviour changes to restore too (``install(restore=)``).
    """
    if not module and not os.path.exists(target):
        # what the interpreter says and does for a missing script
        print(f"legacy-coro run: can't open file {os.path.abspath(target)!r}: "
              "[Errno 2] No such file or directory", file=sys.stderr)
        return 2
    recorder = Recorder() if report is not None else None
    saved_argv, saved_path0 = sys.argv[:], sys.path[0] if sys.path else None
    if not sys.path:
        sys.path.append("")
    if module:
        sys.argv = ["-m"] + list(args)  # runpy puts the module's file in argv[0]
        sys.path[0] = os.getcwd()
    else:
        sys.argv = [target] + list(args)
        sys.path[0] = os.path.dirname(os.path.realpath(target))
    already = bool(_install.installed())
    _install.install(recorder.record if recorder is not None else None, restore=restore)
    try:
        if module:
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:
            _run_script(target)
        code = 0
    except SystemExit as exc:
        code = _exit_code(exc)
    except BaseException as exc:  # noqa: B036 - reported like the interpreter does
        _trim(exc)
        sys.excepthook(type(exc), exc, exc.__traceback__)
        # the interpreter dies of SIGINT after a KeyboardInterrupt: a shell shows 130
        code = 130 if isinstance(exc, KeyboardInterrupt) else 1
    finally:
        if not already:
            _install.uninstall()
        sys.argv = saved_argv
        if saved_path0 is not None:
            sys.path[0] = saved_path0
    if recorder is not None:
        _write_report(recorder, report)
    return code


def _write_report(recorder: Recorder, report: Optional[str]) -> None:
    sys.stdout.flush()
    uses = recorder.uses()
    if report == "-":
        sys.stderr.write(render_table(uses))
        sys.stderr.flush()
    elif report is not None:
        with open(report, "w", encoding="utf-8") as out:
            out.write(render_json(uses))
